import { Gpr } from '@tsvm/arch-x86';
import type { GuestMemory } from '@tsvm/core';
import type { PcLayout } from '../pc-layout.js';
import type { BootPlan, BootSegment } from './boot-plan.js';
import { enterFlatProtectedMode, flatGdt } from './cpu-setup.js';
import { type ElfImage, parseElf32 } from './elf.js';
import { LoaderError } from './loader-error.js';

export const MULTIBOOT_HEADER_MAGIC = 0x1badb002;
export const MULTIBOOT_BOOTLOADER_MAGIC = 0x2badb002;
/** The header must lie entirely within the first 8192 bytes, 4-byte aligned. */
const HEADER_SEARCH_BYTES = 8192;
const PAGE = 4096;
/** Largest image or module accepted (a guard against absurd sizes before anything is allocated). */
export const MAX_IMAGE_BYTES = 1024 * 1024 * 1024;

/** Header flags (bits 0-15 are requirements the loader must meet or refuse the image). */
const Flag = {
  PageAlignModules: 1 << 0,
  MemoryInfo: 1 << 1,
  VideoMode: 1 << 2,
  AoutKludge: 1 << 16,
} as const;
const SUPPORTED_REQUIRED = Flag.PageAlignModules | Flag.MemoryInfo | Flag.VideoMode;

/** Info-structure flags. */
const Info = {
  Memory: 1 << 0,
  BootDevice: 1 << 1,
  Cmdline: 1 << 2,
  Modules: 1 << 3,
  Mmap: 1 << 6,
  LoaderName: 1 << 9,
};
const INFO_BYTES = 120;

export interface MultibootModule {
  readonly data: Uint8Array;
  /** The module's string (conventionally its name and arguments). */
  readonly string: string;
}

export interface MultibootOptions {
  readonly cmdline?: string;
  readonly modules?: readonly MultibootModule[];
  /** Name written as `boot_loader_name`. */
  readonly loaderName?: string;
}

export interface MultibootHeader {
  readonly offset: number;
  readonly flags: number;
  readonly aout?: {
    readonly headerAddr: number;
    readonly loadAddr: number;
    readonly loadEndAddr: number;
    readonly bssEndAddr: number;
    readonly entryAddr: number;
  };
}

/** Find and check the Multiboot header; `undefined` when the image has none. */
export function findMultibootHeader(image: Uint8Array): MultibootHeader | undefined {
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const limit = Math.min(image.length, HEADER_SEARCH_BYTES);
  for (let at = 0; at + 4 <= limit; at += 4) {
    if (view.getUint32(at, true) !== MULTIBOOT_HEADER_MAGIC) continue;
    if (at + 12 > image.length)
      throw new LoaderError('multiboot', 'header is truncated (needs 12 bytes)', at);
    const flags = view.getUint32(at + 4, true);
    const checksum = view.getUint32(at + 8, true);
    if (((MULTIBOOT_HEADER_MAGIC + flags + checksum) & 0xffffffff) >>> 0 !== 0) {
      throw new LoaderError(
        'multiboot',
        `header checksum 0x${checksum.toString(16)} does not make magic + flags + checksum zero`,
        at + 8,
      );
    }
    const unsupported = flags & 0xffff & ~SUPPORTED_REQUIRED;
    if (unsupported) {
      throw new LoaderError(
        'multiboot',
        `header requires unsupported features (flags 0x${unsupported.toString(16)})`,
        at + 4,
      );
    }
    if (!(flags & Flag.AoutKludge)) return { offset: at, flags };
    if (at + 32 > image.length)
      throw new LoaderError('multiboot', 'a.out kludge header is truncated (needs 32 bytes)', at);
    return {
      offset: at,
      flags,
      aout: {
        headerAddr: view.getUint32(at + 12, true),
        loadAddr: view.getUint32(at + 16, true),
        loadEndAddr: view.getUint32(at + 20, true),
        bssEndAddr: view.getUint32(at + 24, true),
        entryAddr: view.getUint32(at + 28, true),
      },
    };
  }
  return undefined;
}

interface KernelLayout {
  readonly segments: BootSegment[];
  readonly entry: number;
  /** First byte past everything the kernel occupies (BSS included). */
  readonly end: number;
  readonly loadAddress: number;
}

function aoutLayout(image: Uint8Array, header: MultibootHeader): KernelLayout {
  const a = header.aout!;
  const at = header.offset;
  if (a.headerAddr < a.loadAddr) {
    throw new LoaderError(
      'multiboot',
      `header_addr 0x${a.headerAddr.toString(16)} is below load_addr 0x${a.loadAddr.toString(16)}`,
      at + 12,
    );
  }
  const fileStart = at - (a.headerAddr - a.loadAddr);
  if (fileStart < 0) {
    throw new LoaderError(
      'multiboot',
      `load_addr 0x${a.loadAddr.toString(16)} would start ${-fileStart} bytes before the file`,
      at + 16,
    );
  }
  const loadEnd = a.loadEndAddr === 0 ? a.loadAddr + (image.length - fileStart) : a.loadEndAddr;
  if (loadEnd < a.loadAddr) {
    throw new LoaderError('multiboot', `load_end_addr 0x${loadEnd.toString(16)} is below load_addr`, at + 20);
  }
  const size = loadEnd - a.loadAddr;
  if (fileStart + size > image.length) {
    throw new LoaderError(
      'multiboot',
      `image is truncated: load_end_addr needs ${fileStart + size} bytes, file has ${image.length}`,
      at + 20,
    );
  }
  const bssEnd = a.bssEndAddr === 0 ? loadEnd : a.bssEndAddr;
  if (bssEnd < loadEnd)
    throw new LoaderError(
      'multiboot',
      `bss_end_addr 0x${bssEnd.toString(16)} is below load_end_addr`,
      at + 24,
    );
  if (a.entryAddr < a.loadAddr || a.entryAddr >= bssEnd) {
    throw new LoaderError(
      'multiboot',
      `entry_addr 0x${a.entryAddr.toString(16)} is outside the loaded image`,
      at + 28,
    );
  }
  return {
    segments: [
      {
        address: a.loadAddr,
        data: image.subarray(fileStart, fileStart + size),
        zeroBytes: bssEnd - loadEnd,
        what: 'a.out image',
        fileOffset: at + 16,
      },
    ],
    entry: a.entryAddr,
    end: bssEnd,
    loadAddress: a.loadAddr,
  };
}

function elfLayout(elf: ElfImage): KernelLayout {
  const segments: BootSegment[] = elf.segments.map((s, i) => ({
    address: s.paddr,
    data: s.data,
    zeroBytes: s.memsz - s.data.length,
    what: `ELF segment ${i}`,
    fileOffset: s.headerOffset,
  }));
  // The entry point is virtual; translate it through the segment that contains it (as QEMU does).
  let entry = elf.entry;
  for (const s of elf.segments) {
    if (elf.entry >= s.vaddr && elf.entry < s.vaddr + s.memsz) {
      entry = s.paddr + (elf.entry - s.vaddr);
      break;
    }
  }
  const end = Math.max(...elf.segments.map((s) => s.paddr + s.memsz));
  return { segments, entry, end, loadAddress: Math.min(...elf.segments.map((s) => s.paddr)) };
}

const alignUp = (v: number, a: number) => Math.ceil(v / a) * a;

/**
 * Load a Multiboot v1 kernel (ELF32 or the a.out kludge) with its modules: a complete boot
 * plan with the info structure (mem_lower/mem_upper, memory map, command line, modules and
 * their strings, boot loader name), EAX = 0x2BADB002 and EBX = the info address.
 * Everything is validated first; a refused image changes nothing.
 */
export function planMultiboot(
  image: Uint8Array,
  memory: GuestMemory,
  layout: PcLayout,
  options: MultibootOptions = {},
): BootPlan {
  if (image.length > MAX_IMAGE_BYTES)
    throw new LoaderError(
      'multiboot',
      `image of ${image.length} bytes exceeds the ${MAX_IMAGE_BYTES}-byte limit`,
    );
  const header = findMultibootHeader(image);
  if (!header)
    throw new LoaderError(
      'multiboot',
      `no Multiboot header (magic 0x1BADB002) in the first ${HEADER_SEARCH_BYTES} bytes`,
      0,
    );
  const kernel = header.aout ? aoutLayout(image, header) : elfLayout(parseElf32(image, 'multiboot'));
  for (const s of kernel.segments) checkPlacement(memory, s, 'multiboot');

  // Modules, then the info area, go after the kernel, each page-aligned.
  const modules = options.modules ?? [];
  let cursor = alignUp(kernel.end, PAGE);
  const moduleSegments: BootSegment[] = [];
  const moduleRanges: { start: number; end: number; string: string }[] = [];
  modules.forEach((m, i) => {
    if (m.data.length > MAX_IMAGE_BYTES)
      throw new LoaderError('multiboot', `module ${i} of ${m.data.length} bytes exceeds the size limit`);
    moduleSegments.push({ address: cursor, data: m.data, what: `module ${i} ('${m.string}')` });
    moduleRanges.push({ start: cursor, end: cursor + m.data.length, string: m.string });
    cursor = alignUp(cursor + Math.max(1, m.data.length), PAGE);
  });

  const encoder = new TextEncoder();
  const info = new Uint8Array(INFO_BYTES);
  const infoView = new DataView(info.buffer);
  const extra: number[] = []; // bytes following the info structure: GDT, mmap, module list, strings
  const infoBase = cursor;
  const place = (bytes: Uint8Array, align = 4): number => {
    while ((INFO_BYTES + extra.length) % align) extra.push(0);
    const address = infoBase + INFO_BYTES + extra.length;
    for (const b of bytes) extra.push(b);
    return address;
  };
  const gdtAddress = place(flatGdt(), 8);
  const cstring = (s: string) => place(Uint8Array.from([...encoder.encode(s), 0]), 1);

  let flags = Info.Memory | Info.Cmdline | Info.Mmap | Info.LoaderName | Info.BootDevice;
  infoView.setUint32(4, layout.lowKib, true);
  infoView.setUint32(8, layout.highKib, true);
  infoView.setUint32(12, 0xffffffff, true); // boot_device: none of the BIOS disks
  infoView.setUint32(16, cstring(options.cmdline ?? ''), true);
  const mmap = new Uint8Array(24 * layout.memoryMap().length);
  const mmapView = new DataView(mmap.buffer);
  layout.memoryMap().forEach((e, i) => {
    mmapView.setUint32(i * 24, 20, true); // size of the entry, not counting this field
    mmapView.setBigUint64(i * 24 + 4, BigInt(e.base), true);
    mmapView.setBigUint64(i * 24 + 12, BigInt(e.length), true);
    mmapView.setUint32(i * 24 + 20, e.type, true);
  });
  infoView.setUint32(44, mmap.length, true);
  infoView.setUint32(48, place(mmap), true);
  if (modules.length > 0) {
    flags |= Info.Modules;
    const list = new Uint8Array(16 * modules.length);
    const listView = new DataView(list.buffer);
    moduleRanges.forEach((m, i) => {
      listView.setUint32(i * 16, m.start, true);
      listView.setUint32(i * 16 + 4, m.end, true);
      listView.setUint32(i * 16 + 8, cstring(m.string), true);
    });
    infoView.setUint32(20, modules.length, true);
    infoView.setUint32(24, place(list), true);
  }
  infoView.setUint32(64, cstring(options.loaderName ?? 'tsvm'), true);
  infoView.setUint32(0, flags, true);
  const infoBlock = new Uint8Array(INFO_BYTES + extra.length);
  infoBlock.set(info);
  infoBlock.set(extra, INFO_BYTES);
  const infoSegment: BootSegment = { address: infoBase, data: infoBlock, what: 'multiboot information' };

  for (const s of [...moduleSegments, infoSegment]) {
    if (s.address + s.data.length > layout.ramTop) {
      throw new LoaderError(
        'multiboot',
        `${s.what} needs guest memory up to 0x${(s.address + s.data.length).toString(16)}, RAM ends at 0x${layout.ramTop.toString(16)}`,
      );
    }
    checkPlacement(memory, s, 'multiboot');
  }

  const entry = kernel.entry;
  return {
    format: header.aout ? 'multiboot (a.out kludge)' : 'multiboot (ELF)',
    segments: [...kernel.segments, ...moduleSegments, infoSegment],
    entry,
    cmdline: options.cmdline,
    kernel: { address: kernel.loadAddress, entry, image },
    modules,
    setCpu(state) {
      enterFlatProtectedMode(state, entry, gdtAddress);
      state.gprLow.fill(0);
      state.gprLow[Gpr.RAX] = MULTIBOOT_BOOTLOADER_MAGIC | 0;
      state.gprLow[Gpr.RBX] = infoBase;
    },
  };
}

/** Refuse a segment that is not entirely in RAM (outside it, or on a device window). */
export function checkPlacement(memory: GuestMemory, s: BootSegment, format: string): void {
  const fileOffset = s.fileOffset;
  const length = s.data.length + (s.zeroBytes ?? 0);
  if (length === 0) return;
  const end = s.address + length;
  if (end > 2 ** 32) {
    throw new LoaderError(
      format,
      `${s.what} at 0x${s.address.toString(16)} (+0x${length.toString(16)}) extends beyond 4 GiB`,
      fileOffset,
    );
  }
  for (let a = s.address; a < end; ) {
    const r = memory.find(a);
    if (r?.kind !== 'ram') {
      const what = r ? `overlaps device '${r.name}'` : 'is outside RAM';
      throw new LoaderError(
        format,
        `${s.what} [0x${s.address.toString(16)}, 0x${end.toString(16)}) ${what} at 0x${a.toString(16)}`,
        fileOffset,
      );
    }
    a = r.base + r.size;
  }
}
