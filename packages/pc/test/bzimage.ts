/** Synthetic bzImages for loader tests: a setup header with the fields the loader reads. */
export interface FakeBzImageOptions {
  protocol?: number;
  setupSects?: number;
  kernelBytes?: number;
  relocatable?: boolean;
  prefAddress?: number;
  initSize?: number;
  initrdAddrMax?: number;
  cmdlineSize?: number;
  kernel64?: boolean;
  loadedHigh?: boolean;
  /** Bytes of the protected-mode kernel (overrides kernelBytes). */
  payload?: Uint8Array;
}

export function fakeBzImage(o: FakeBzImageOptions = {}): Uint8Array {
  const setupSects = o.setupSects ?? 4;
  const payload = o.payload ?? new Uint8Array(o.kernelBytes ?? 4096).map((_, i) => (i * 7 + 3) & 0xff);
  const kernelOffset = ((setupSects || 4) + 1) * 512; // setup_sects 0 means 4
  const image = new Uint8Array(kernelOffset + payload.length);
  const v = new DataView(image.buffer);
  image[0x1f1] = setupSects;
  v.setUint16(0x1fe, 0xaa55, true);
  image[0x200] = 0xeb; // jmp short: the header ends at 0x202 + this offset
  image[0x201] = 0x6a;
  v.setUint32(0x202, 0x53726448, true); // "HdrS"
  v.setUint16(0x206, o.protocol ?? 0x20f, true);
  image[0x211] = o.loadedHigh === false ? 0 : 0x01;
  v.setUint32(0x214, 0x100000, true);
  v.setUint32(0x22c, o.initrdAddrMax ?? 0x7fffffff, true);
  v.setUint32(0x230, 0x200000, true);
  image[0x234] = o.relocatable === false ? 0 : 1;
  v.setUint16(0x236, o.kernel64 ? 0x3 : 0, true);
  v.setUint32(0x238, o.cmdlineSize ?? 2047, true);
  v.setBigUint64(0x258, BigInt(o.prefAddress ?? 0x1000000), true);
  v.setUint32(0x260, o.initSize ?? 0x100000, true);
  image.set(payload, kernelOffset);
  return image;
}
