import { LoaderError } from './loader-error.js';

export interface ElfSegment {
  readonly vaddr: number;
  readonly paddr: number;
  readonly memsz: number;
  /** File bytes (p_filesz of them); the rest up to `memsz` is zero. */
  readonly data: Uint8Array;
  /** Offset of this segment's program header in the file. */
  readonly headerOffset: number;
}

export interface ElfImage {
  readonly entry: number;
  readonly segments: readonly ElfSegment[];
}

const PT_LOAD = 1;
const EM_386 = 3;
const ET_EXEC = 2;
/** A program header table this long is not a kernel: refuse before looping over it. */
const MAX_PROGRAM_HEADERS = 256;

/** Parse the loadable segments of a 32-bit little-endian x86 ELF executable, checking every bound. */
export function parseElf32(image: Uint8Array, format: string): ElfImage {
  const fail = (problem: string, offset: number): never => {
    throw new LoaderError(format, problem, offset);
  };
  if (image.length < 4 || image[0] !== 0x7f || image[1] !== 0x45 || image[2] !== 0x4c || image[3] !== 0x46) {
    fail('not an ELF file (bad magic) and no a.out kludge in the Multiboot header', 0);
  }
  if (image.length < 52) fail(`ELF header is truncated (${image.length} of 52 bytes)`, image.length);
  if (image[4] !== 1)
    fail(
      image[4] === 2 ? 'ELF64 images are not Multiboot v1 kernels (need ELF32)' : `bad ELF class ${image[4]}`,
      4,
    );
  if (image[5] !== 1) fail(`ELF data encoding ${image[5]} is not little-endian`, 5);
  const v = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const type = v.getUint16(16, true);
  if (type !== ET_EXEC) fail(`ELF type ${type} is not an executable (ET_EXEC)`, 16);
  const machine = v.getUint16(18, true);
  if (machine !== EM_386) fail(`ELF machine ${machine} is not i386 (3)`, 18);
  const entry = v.getUint32(24, true);
  const phoff = v.getUint32(28, true);
  const phentsize = v.getUint16(42, true);
  const phnum = v.getUint16(44, true);
  if (phnum === 0) fail('ELF file has no program headers', 44);
  if (phnum > MAX_PROGRAM_HEADERS)
    fail(`ELF file declares ${phnum} program headers (limit ${MAX_PROGRAM_HEADERS})`, 44);
  if (phentsize < 32) fail(`ELF program header size ${phentsize} is smaller than 32`, 42);
  if (phoff + phnum * phentsize > image.length) {
    fail(
      `ELF program header table [0x${phoff.toString(16)}, +${phnum * phentsize}) runs past the end of the file`,
      28,
    );
  }
  const segments: ElfSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (v.getUint32(at, true) !== PT_LOAD) continue;
    const offset = v.getUint32(at + 4, true);
    const vaddr = v.getUint32(at + 8, true);
    const paddr = v.getUint32(at + 12, true);
    const filesz = v.getUint32(at + 16, true);
    const memsz = v.getUint32(at + 20, true);
    if (filesz > memsz)
      fail(
        `segment ${i}: p_filesz 0x${filesz.toString(16)} exceeds p_memsz 0x${memsz.toString(16)}`,
        at + 16,
      );
    if (offset + filesz > image.length) {
      fail(
        `segment ${i}: file bytes [0x${offset.toString(16)}, 0x${(offset + filesz).toString(16)}) run past the end of the file (${image.length} bytes)`,
        at + 4,
      );
    }
    if (paddr + memsz > 2 ** 32)
      fail(`segment ${i}: [0x${paddr.toString(16)}, +0x${memsz.toString(16)}) wraps past 4 GiB`, at + 12);
    if (memsz === 0) continue;
    segments.push({ vaddr, paddr, memsz, data: image.subarray(offset, offset + filesz), headerOffset: at });
  }
  if (segments.length === 0) fail('ELF file has no loadable (PT_LOAD) segment', phoff);
  return { entry, segments };
}
