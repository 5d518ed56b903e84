/** Small guest images built in the test, so each malformed variant is one edit away from a good one. */

const MAGIC = 0x1badb002;

/** A Multiboot a.out-kludge kernel: header at offset 0, loaded at 1 MiB, 16 bytes of code, 4 KiB BSS. */
export function aoutKernel(
  overrides: { flags?: number; checksum?: number; fields?: number[]; length?: number } = {},
): Uint8Array {
  const flags = overrides.flags ?? 0x00010003;
  const load = 0x100000;
  const length = overrides.length ?? 64;
  const fields = overrides.fields ?? [load, load, load + length, load + length + 0x1000, load + 32];
  const image = new Uint8Array(length);
  const v = new DataView(image.buffer);
  v.setUint32(0, MAGIC, true);
  v.setUint32(4, flags, true);
  v.setUint32(8, overrides.checksum ?? -(MAGIC + flags) >>> 0, true);
  for (const [i, f] of fields.entries()) v.setUint32(12 + i * 4, f, true);
  image.fill(0x90, 32, length); // NOPs
  return image;
}

export interface ElfSpec {
  paddr?: number;
  vaddr?: number;
  filesz?: number;
  memsz?: number;
  offset?: number;
  entry?: number;
  cls?: number;
  machine?: number;
  phnum?: number;
  truncateTo?: number;
}

/** A Multiboot ELF32 kernel with one PT_LOAD segment at 1 MiB. The header sits in the segment data. */
export function elfKernel(spec: ElfSpec = {}): Uint8Array {
  const dataOffset = spec.offset ?? 0x80;
  const filesz = spec.filesz ?? 0x40;
  const image = new Uint8Array(Math.max(dataOffset + 0x40, 0x100));
  const v = new DataView(image.buffer);
  image.set([0x7f, 0x45, 0x4c, 0x46, spec.cls ?? 1, 1, 1], 0);
  v.setUint16(16, 2, true);
  v.setUint16(18, spec.machine ?? 3, true);
  v.setUint32(20, 1, true);
  v.setUint32(24, spec.entry ?? 0x100010, true);
  v.setUint32(28, 52, true); // phoff
  v.setUint16(40, 52, true);
  v.setUint16(42, 32, true);
  v.setUint16(44, spec.phnum ?? 1, true);
  // Program header 0.
  v.setUint32(52, 1, true);
  v.setUint32(56, dataOffset, true);
  v.setUint32(60, spec.vaddr ?? spec.paddr ?? 0x100000, true);
  v.setUint32(64, spec.paddr ?? 0x100000, true);
  v.setUint32(68, filesz, true);
  v.setUint32(72, spec.memsz ?? 0x2000, true);
  // Multiboot header (ELF flavour) at the start of the segment data.
  v.setUint32(dataOffset, MAGIC, true);
  v.setUint32(dataOffset + 4, 0x3, true);
  v.setUint32(dataOffset + 8, -(MAGIC + 3) >>> 0, true);
  image[dataOffset + 16] = 0xf4; // hlt at the entry
  return spec.truncateTo === undefined ? image : image.subarray(0, spec.truncateTo);
}
