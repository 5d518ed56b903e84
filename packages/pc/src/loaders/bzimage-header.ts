import { LoaderError } from './loader-error.js';

/**
 * The setup header of a Linux bzImage (Documentation/arch/x86/boot.rst), as a loader that
 * skips the real-mode setup needs it. Offsets are from the start of the file, which is also
 * where the header sits in `boot_params` (the zero page).
 */
export const SetupHeader = {
  setupSects: 0x1f1,
  bootFlag: 0x1fe,
  jump: 0x200,
  magic: 0x202,
  version: 0x206,
  typeOfLoader: 0x210,
  loadflags: 0x211,
  code32Start: 0x214,
  ramdiskImage: 0x218,
  ramdiskSize: 0x21c,
  heapEndPtr: 0x224,
  cmdLinePtr: 0x228,
  initrdAddrMax: 0x22c,
  kernelAlignment: 0x230,
  relocatableKernel: 0x234,
  xloadflags: 0x236,
  cmdlineSize: 0x238,
  prefAddress: 0x258,
  initSize: 0x260,
} as const;

/** `loadflags` bits. */
export const LoadFlags = { LoadedHigh: 0x01, KeepSegments: 0x40, CanUseHeap: 0x80 } as const;
/** `xloadflags` bits. */
export const XLoadFlags = { Kernel64: 0x01 } as const;

const HDRS = 0x53726448; // "HdrS"
export const MIN_PROTOCOL = 0x206;
const FORMAT = 'bzImage';

export interface BzImageHeader {
  /** Boot protocol version, e.g. 0x20f for 2.15. */
  readonly protocol: number;
  /** File offset of the protected-mode kernel ((setup_sects + 1) * 512). */
  readonly kernelOffset: number;
  readonly kernelBytes: number;
  /** Where the kernel wants to be loaded (pref_address, or code32_start before protocol 2.10). */
  readonly loadAddress: number;
  readonly relocatable: boolean;
  /** Linear memory the kernel needs from its load address before it reads the memory map. */
  readonly initSize: number;
  readonly initrdAddrMax: number;
  /** Longest command line, without its terminating NUL. */
  readonly cmdlineSize: number;
  readonly kernel64: boolean;
  /** The header bytes a loader copies into the zero page: [0x1F1, 0x202 + byte at 0x201). */
  readonly headerEnd: number;
}

const hex = (v: number) => `0x${v.toString(16)}`;

/** True when the image carries the bzImage signature ("HdrS" at 0x202). */
export function isBzImage(image: Uint8Array): boolean {
  if (image.length < 0x206) return false;
  return (
    new DataView(image.buffer, image.byteOffset, image.byteLength).getUint32(SetupHeader.magic, true) === HDRS
  );
}

/** Read and check the setup header; refuses what the 32/64-bit boot protocol cannot load. */
export function parseBzImageHeader(image: Uint8Array): BzImageHeader {
  if (!isBzImage(image))
    throw new LoaderError(FORMAT, "not a Linux bzImage: no 'HdrS' setup header signature", SetupHeader.magic);
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const protocol = view.getUint16(SetupHeader.version, true);
  const version = `${protocol >> 8}.${(protocol & 0xff).toString().padStart(2, '0')}`;
  if (protocol < MIN_PROTOCOL)
    throw new LoaderError(
      FORMAT,
      `boot protocol ${version} is older than 2.06, the oldest tsvm loads (kernel 2.6.22 or newer)`,
      SetupHeader.version,
    );
  const headerEnd = 0x202 + image[0x201];
  if (headerEnd > image.length || headerEnd < SetupHeader.cmdlineSize + 4)
    throw new LoaderError(
      FORMAT,
      `setup header ends at ${hex(headerEnd)}, outside the file or too short`,
      0x201,
    );
  const loadflags = image[SetupHeader.loadflags];
  if (!(loadflags & LoadFlags.LoadedHigh))
    throw new LoaderError(
      FORMAT,
      'a zImage (loaded below 1 MiB) is not supported; build a bzImage',
      SetupHeader.loadflags,
    );
  const setupSects = image[SetupHeader.setupSects] || 4;
  const kernelOffset = (setupSects + 1) * 512;
  if (kernelOffset >= image.length)
    throw new LoaderError(
      FORMAT,
      `setup_sects ${setupSects} puts the kernel at ${hex(kernelOffset)}, past the end of the ${image.length}-byte file`,
      SetupHeader.setupSects,
    );
  const kernelBytes = image.length - kernelOffset;
  const relocatable = image[SetupHeader.relocatableKernel] !== 0;
  const has210 = protocol >= 0x20a;
  const prefAddress = has210 ? Number(view.getBigUint64(SetupHeader.prefAddress, true)) : 0;
  const code32Start = view.getUint32(SetupHeader.code32Start, true);
  const loadAddress = has210 && prefAddress > 0 ? prefAddress : code32Start || 0x100000;
  const initSize = has210 ? view.getUint32(SetupHeader.initSize, true) : 0;
  return {
    protocol,
    kernelOffset,
    kernelBytes,
    loadAddress,
    relocatable,
    initSize: Math.max(initSize, kernelBytes),
    initrdAddrMax: view.getUint32(SetupHeader.initrdAddrMax, true),
    cmdlineSize: view.getUint32(SetupHeader.cmdlineSize, true),
    kernel64: protocol >= 0x20c && (view.getUint16(SetupHeader.xloadflags, true) & XLoadFlags.Kernel64) !== 0,
    headerEnd,
  };
}
