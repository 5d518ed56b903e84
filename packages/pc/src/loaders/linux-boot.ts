import { Gpr } from '@tsvm/arch-x86';
import type { GuestMemory } from '@tsvm/core';
import type { AcpiTables } from '../acpi/acpi-tables.js';
import type { PcLayout } from '../pc-layout.js';
import type { BootPlan, BootSegment } from './boot-plan.js';
import { type BzImageHeader, LoadFlags, parseBzImageHeader, SetupHeader } from './bzimage-header.js';
import { enterFlatProtectedMode, enterLongMode, identityPageTables } from './cpu-setup.js';
import { LoaderError } from './loader-error.js';
import { checkPlacement, MAX_IMAGE_BYTES } from './multiboot.js';

/** Where the loader puts its own data, all in conventional memory, away from the kernel. */
export const LinuxBootLayout = {
  zeroPage: 0x10000,
  cmdline: 0x11000,
  /** Room for the command line (the kernel's cmdline_size is 2047 on 6.x). */
  cmdlineMax: 0x10000,
  gdt: 0x21000,
  pageTables: 0x22000,
} as const;

/** boot_params fields outside the setup header. */
const ZeroPage = { acpiRsdpAddr: 0x070, e820Entries: 0x1e8, sentinel: 0x1ef, e820Table: 0x2d0 } as const;
const E820_MAX_ENTRIES = 128;
/** "Undefined" boot loader: no assigned ID. */
const TYPE_OF_LOADER_UNDEFINED = 0xff;
/** Selectors the boot protocol names: __BOOT_CS and __BOOT_DS. */
const BOOT_CS = 0x10;
const BOOT_DS = 0x18;
/** Offset of startup_64 from the 64-bit kernel's load address. */
const STARTUP_64_OFFSET = 0x200;
const FORMAT = 'bzImage';
const PAGE = 4096;

export interface LinuxBootOptions {
  readonly cmdline?: string;
  readonly initrd?: Uint8Array;
  /** '32' (default): the 32-bit boot protocol. '64': startup_64 in long mode (64-bit kernels only). */
  readonly entry?: '32' | '64';
  /** ACPI tables to place where they say (the board's); their RSDP also goes in the zero page. */
  readonly acpi?: AcpiTables;
}

const hex = (v: number) => `0x${v.toString(16)}`;
const mib = (v: number) => `${(v / 2 ** 20).toFixed(1)} MiB`;

/** GDT: null, null, __BOOT_CS (flat 32-bit code, or 64-bit code), __BOOT_DS (flat data). */
function bootGdt(longMode: boolean): Uint8Array {
  const gdt = new Uint8Array(32);
  gdt.set([0xff, 0xff, 0, 0, 0, 0x9a, longMode ? 0xaf : 0xcf, 0], BOOT_CS);
  gdt.set([0xff, 0xff, 0, 0, 0, 0x92, 0xcf, 0], BOOT_DS);
  return gdt;
}

function e820Table(layout: PcLayout, zeroPage: Uint8Array): void {
  const view = new DataView(zeroPage.buffer);
  const map = [...layout.memoryMap()].sort((a, b) => a.base - b.base).slice(0, E820_MAX_ENTRIES);
  map.forEach((e, i) => {
    const at = ZeroPage.e820Table + i * 20;
    view.setBigUint64(at, BigInt(e.base), true);
    view.setBigUint64(at + 8, BigInt(e.length), true);
    view.setUint32(at + 16, e.type, true);
  });
  zeroPage[ZeroPage.e820Entries] = map.length;
}

/** Where the initrd goes: as high as allowed, page-aligned, above the kernel's working area. */
function placeInitrd(header: BzImageHeader, layout: PcLayout, size: number, kernelEnd: number): number {
  const ceiling = Math.min(header.initrdAddrMax + 1, layout.ramTop);
  const address = Math.floor((ceiling - size) / PAGE) * PAGE;
  if (address < kernelEnd)
    throw new LoaderError(
      FORMAT,
      `initrd of ${size} bytes (${mib(size)}) does not fit between the kernel's end at ${hex(kernelEnd)} and ${hex(ceiling)} (${ceiling === layout.ramTop ? 'end of RAM' : 'initrd_addr_max'}); give the guest more memory`,
    );
  return address;
}

/**
 * Load a Linux bzImage the way a boot loader that skips the real-mode setup does
 * (Documentation/arch/x86/boot.rst): the protected-mode kernel at its preferred address, the
 * initrd as high as `initrd_addr_max` and RAM allow, the command line, and a zero page holding
 * the setup header (type_of_loader 0xFF, CAN_USE_HEAP, cmd_line_ptr, ramdisk_image/size) and the
 * e820 table from the board's memory map. Entry through the 32-bit protocol (flat segments,
 * ESI = zero page, interrupts and paging off) or, for 64-bit kernels, startup_64 in long mode
 * with the first 4 GiB identity-mapped and RSI = zero page. Everything is checked first; a
 * refused image loads nothing.
 */
export function planLinuxBoot(
  image: Uint8Array,
  memory: GuestMemory,
  layout: PcLayout,
  options: LinuxBootOptions = {},
): BootPlan {
  if (image.length > MAX_IMAGE_BYTES)
    throw new LoaderError(FORMAT, `image of ${image.length} bytes exceeds the ${MAX_IMAGE_BYTES}-byte limit`);
  const header = parseBzImageHeader(image);
  const entryMode = options.entry ?? '32';
  if (entryMode === '64' && !header.kernel64)
    throw new LoaderError(
      FORMAT,
      'the 64-bit entry needs a 64-bit kernel (xloadflags XLF_KERNEL_64 is clear)',
      SetupHeader.xloadflags,
    );

  const kernelEnd = header.loadAddress + header.initSize;
  if (kernelEnd > layout.ramTop) {
    const why = header.relocatable ? '' : ' (the kernel is not relocatable)';
    throw new LoaderError(
      FORMAT,
      `kernel needs RAM from ${hex(header.loadAddress)} to ${hex(kernelEnd)} (init_size ${mib(header.initSize)})${why}, but RAM ends at ${hex(layout.ramTop)}; give the guest more memory`,
      SetupHeader.initSize,
    );
  }

  const cmdline = new TextEncoder().encode(options.cmdline ?? '');
  if (cmdline.length > header.cmdlineSize)
    throw new LoaderError(
      FORMAT,
      `command line of ${cmdline.length} bytes is longer than the kernel's cmdline_size of ${header.cmdlineSize}`,
      SetupHeader.cmdlineSize,
    );
  if (cmdline.length >= LinuxBootLayout.cmdlineMax)
    throw new LoaderError(
      FORMAT,
      `command line of ${cmdline.length} bytes is longer than tsvm's ${LinuxBootLayout.cmdlineMax - 1}`,
    );

  const initrd = options.initrd;
  if (initrd && initrd.length > MAX_IMAGE_BYTES)
    throw new LoaderError(
      FORMAT,
      `initrd of ${initrd.length} bytes exceeds the ${MAX_IMAGE_BYTES}-byte limit`,
    );
  const initrdAddress =
    initrd && initrd.length > 0 ? placeInitrd(header, layout, initrd.length, kernelEnd) : 0;

  const zeroPage = new Uint8Array(PAGE);
  const zp = new DataView(zeroPage.buffer);
  zeroPage.set(image.subarray(SetupHeader.setupSects, header.headerEnd), SetupHeader.setupSects);
  zeroPage[SetupHeader.typeOfLoader] = TYPE_OF_LOADER_UNDEFINED;
  zeroPage[SetupHeader.loadflags] |= LoadFlags.CanUseHeap;
  zeroPage[SetupHeader.loadflags] &= ~LoadFlags.KeepSegments;
  // As if the real-mode setup sat at 0x90000 with its heap ending 0x200 below 0x9800:0 (boot.rst).
  zp.setUint16(SetupHeader.heapEndPtr, 0xe000 - 0x200, true);
  zp.setUint32(SetupHeader.code32Start, header.loadAddress, true);
  zp.setUint32(SetupHeader.cmdLinePtr, LinuxBootLayout.cmdline, true);
  zp.setUint32(SetupHeader.ramdiskImage, initrdAddress, true);
  zp.setUint32(SetupHeader.ramdiskSize, initrd?.length ?? 0, true);
  zeroPage[ZeroPage.sentinel] = 0; // a non-zero sentinel makes the kernel distrust the fields
  if (options.acpi) zp.setBigUint64(ZeroPage.acpiRsdpAddr, BigInt(options.acpi.rsdpAddress), true);
  e820Table(layout, zeroPage);

  const longMode = entryMode === '64';
  const segments: BootSegment[] = [
    {
      address: header.loadAddress,
      data: image.subarray(header.kernelOffset),
      what: 'protected-mode kernel',
      fileOffset: header.kernelOffset,
    },
    { address: LinuxBootLayout.zeroPage, data: zeroPage, what: 'zero page (boot_params)' },
    { address: LinuxBootLayout.cmdline, data: Uint8Array.from([...cmdline, 0]), what: 'command line' },
    { address: LinuxBootLayout.gdt, data: bootGdt(longMode), what: 'boot GDT' },
  ];
  if (longMode)
    segments.push({
      address: LinuxBootLayout.pageTables,
      data: identityPageTables(LinuxBootLayout.pageTables),
      what: 'identity page tables',
    });
  if (initrd && initrd.length > 0) segments.push({ address: initrdAddress, data: initrd, what: 'initrd' });
  if (options.acpi)
    segments.push({ address: options.acpi.base, data: options.acpi.bytes, what: 'ACPI tables' });
  for (const s of segments) checkPlacement(memory, s, FORMAT);

  const entry = longMode ? header.loadAddress + STARTUP_64_OFFSET : header.loadAddress;
  const selectors = { code: BOOT_CS, data: BOOT_DS, gdtLimit: 31 };
  return {
    format: `Linux bzImage (boot protocol ${header.protocol >> 8}.${(header.protocol & 0xff).toString().padStart(2, '0')}, ${longMode ? '64' : '32'}-bit entry)`,
    segments,
    entry,
    cmdline: options.cmdline,
    setCpu(state) {
      if (longMode) enterLongMode(state, entry, LinuxBootLayout.gdt, LinuxBootLayout.pageTables, selectors);
      else enterFlatProtectedMode(state, entry, LinuxBootLayout.gdt, selectors);
      state.gprLow.fill(0); // EBP, EDI and EBX must be zero
      state.gprHigh.fill(0);
      state.gprLow[Gpr.RSI] = LinuxBootLayout.zeroPage;
    },
  };
}
