/**
 * The one accessor over the canonical x87/MMX/SSE state: the FXSAVE image in
 * `X86CpuState.fxsave` (SDM Vol. 1 §10.5.1). Every x87, MMX and FXSAVE handler goes through
 * this class, so accel-tcg, accel-kvm's xsave substate and the snapshot codec share one
 * representation.
 *
 * Layout facts that shape the code:
 * * The eight 16-byte register slots at offset 32 hold ST(0)..ST(7) in *stack* order, not
 *   physical R0..R7, so changing TOP rotates the slots (`rotate`).
 * * The tag byte at offset 4 is the *abridged* tag, one bit per *physical* register
 *   (1 = not empty); the full two-bit tag word of FSTENV/FSAVE is derived from the contents.
 * * MMi aliases physical register Ri's significand; MMX code runs with TOP = 0, so slot i is Ri.
 */

/** Byte offsets in the FXSAVE image. */
export const enum Fx {
  FCW = 0,
  FSW = 2,
  FTW = 4,
  FOP = 6,
  FIP = 8,
  FCS = 12,
  FDP = 16,
  FDS = 20,
  MXCSR = 24,
  MXCSR_MASK = 28,
  ST0 = 32,
  XMM0 = 160,
}

/** Status-word bits. */
export const enum Fsw {
  IE = 1 << 0,
  DE = 1 << 1,
  ZE = 1 << 2,
  OE = 1 << 3,
  UE = 1 << 4,
  PE = 1 << 5,
  SF = 1 << 6,
  ES = 1 << 7,
  C0 = 1 << 8,
  C1 = 1 << 9,
  C2 = 1 << 10,
  TOP_SHIFT = 11,
  TOP_MASK = 7 << 11,
  C3 = 1 << 14,
  B = 1 << 15,
}

/** Two-bit tags of the full tag word. */
export const enum Tag {
  Valid = 0,
  Zero = 1,
  Special = 2,
  Empty = 3,
}

/** An 80-bit extended value as stored: sign+exponent word and the 64-bit significand halves. */
export interface RawExtended {
  /** Bit 15 sign, bits 14..0 biased exponent. */
  signExp: number;
  /** Significand bits 63..32 (bit 63 is the explicit integer bit), unsigned. */
  hi: number;
  /** Significand bits 31..0, unsigned. */
  lo: number;
}

const SLOT = 16;

/** Hosts are little-endian in practice; a big-endian one takes the DataView path for the slots. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export class FpuState {
  private readonly view: DataView;
  /** The image as 32-bit words (little-endian host, aligned image), for the hot slot accesses. */
  private readonly words: Uint32Array | undefined;

  constructor(readonly image: Uint8Array) {
    this.view = new DataView(image.buffer, image.byteOffset, image.byteLength);
    this.words =
      LITTLE_ENDIAN && image.byteOffset % 4 === 0
        ? new Uint32Array(image.buffer, image.byteOffset, image.byteLength >> 2)
        : undefined;
  }

  get fcw(): number {
    return this.view.getUint16(Fx.FCW, true);
  }
  set fcw(value: number) {
    this.view.setUint16(Fx.FCW, value, true);
  }
  get fsw(): number {
    return this.view.getUint16(Fx.FSW, true);
  }
  set fsw(value: number) {
    this.view.setUint16(Fx.FSW, value, true);
  }
  get top(): number {
    return (this.fsw >> Fsw.TOP_SHIFT) & 7;
  }
  /** Set TOP, rotating the register slots so slot i stays ST(i) of the new TOP. */
  set top(value: number) {
    const delta = (value - this.top) & 7;
    if (delta !== 0) this.rotate(delta);
    this.fsw = (this.fsw & ~Fsw.TOP_MASK) | ((value & 7) << Fsw.TOP_SHIFT);
  }
  get abridgedTag(): number {
    return this.image[Fx.FTW];
  }
  set abridgedTag(value: number) {
    this.image[Fx.FTW] = value & 0xff;
  }
  get fop(): number {
    return this.view.getUint16(Fx.FOP, true);
  }
  set fop(value: number) {
    this.view.setUint16(Fx.FOP, value & 0x7ff, true);
  }
  get fip(): number {
    return this.view.getUint32(Fx.FIP, true);
  }
  set fip(value: number) {
    this.view.setUint32(Fx.FIP, value >>> 0, true);
  }
  get fcs(): number {
    return this.view.getUint16(Fx.FCS, true);
  }
  set fcs(value: number) {
    this.view.setUint16(Fx.FCS, value, true);
  }
  get fdp(): number {
    return this.view.getUint32(Fx.FDP, true);
  }
  set fdp(value: number) {
    this.view.setUint32(Fx.FDP, value >>> 0, true);
  }
  get fds(): number {
    return this.view.getUint16(Fx.FDS, true);
  }
  set fds(value: number) {
    this.view.setUint16(Fx.FDS, value, true);
  }
  get mxcsr(): number {
    return this.view.getUint32(Fx.MXCSR, true);
  }
  set mxcsr(value: number) {
    this.view.setUint32(Fx.MXCSR, value >>> 0, true);
  }

  /** Physical register number of ST(i). */
  physical(i: number): number {
    return (this.top + i) & 7;
  }

  /** ST(i) is empty (abridged tag bit of its physical register clear). */
  isEmpty(i: number): boolean {
    return (this.image[Fx.FTW] & (1 << this.physical(i))) === 0;
  }

  setEmpty(i: number, empty: boolean): void {
    const bit = 1 << this.physical(i);
    this.image[Fx.FTW] = empty ? this.image[Fx.FTW] & ~bit : this.image[Fx.FTW] | bit;
  }

  /** Byte offset of ST(i)'s slot in the image. */
  slot(i: number): number {
    return Fx.ST0 + SLOT * (i & 7);
  }

  readSt(i: number): RawExtended {
    const w = this.words;
    if (w) {
      const k = (Fx.ST0 >> 2) + 4 * (i & 7);
      return { lo: w[k], hi: w[k + 1], signExp: w[k + 2] & 0xffff };
    }
    const o = this.slot(i);
    return {
      lo: this.view.getUint32(o, true),
      hi: this.view.getUint32(o + 4, true),
      signExp: this.view.getUint16(o + 8, true),
    };
  }

  /** Write ST(i)'s 80 bits; the six reserved bytes of the slot are zeroed, as FXSAVE does. */
  writeSt(i: number, value: RawExtended): void {
    const w = this.words;
    if (w) {
      const k = (Fx.ST0 >> 2) + 4 * (i & 7);
      w[k] = value.lo;
      w[k + 1] = value.hi;
      w[k + 2] = value.signExp & 0xffff;
      w[k + 3] = 0;
      return;
    }
    const o = this.slot(i);
    this.view.setUint32(o, value.lo >>> 0, true);
    this.view.setUint32(o + 4, value.hi >>> 0, true);
    this.view.setUint16(o + 8, value.signExp & 0xffff, true);
    this.view.setUint16(o + 10, 0, true);
    this.view.setUint32(o + 12, 0, true);
  }

  /** Push: TOP - 1, the new ST(0) becomes valid with `value`. Callers check overflow first. */
  push(value: RawExtended): void {
    const w = this.words;
    if (!w) {
      this.top = (this.top - 1) & 7;
      this.writeSt(0, value);
      this.setEmpty(0, false);
      return;
    }
    // Word 0 holds FCW (bits 15..0) and FSW (bits 31..16); TOP is FSW bits 13..11.
    const w0 = w[0];
    const top = (((w0 >>> 16) >> Fsw.TOP_SHIFT) - 1) & 7;
    w[0] = ((w0 & ~(Fsw.TOP_MASK << 16)) | (top << (Fsw.TOP_SHIFT + 16))) >>> 0;
    // Slots move up one; the old ST(7)'s slot becomes ST(0) and is overwritten anyway.
    const s0 = Fx.ST0 >> 2;
    w.copyWithin(s0 + 4, s0, s0 + 28);
    w[s0] = value.lo;
    w[s0 + 1] = value.hi;
    w[s0 + 2] = value.signExp & 0xffff;
    w[s0 + 3] = 0;
    this.image[Fx.FTW] |= 1 << top;
  }

  /** Pop: ST(0) becomes empty (its bits stay in the physical register), TOP + 1. */
  pop(): void {
    const w = this.words;
    if (!w) {
      this.setEmpty(0, true);
      this.top = (this.top + 1) & 7;
      return;
    }
    const w0 = w[0];
    const top = ((w0 >>> 16) >> Fsw.TOP_SHIFT) & 7;
    this.image[Fx.FTW] &= ~(1 << top);
    w[0] = ((w0 & ~(Fsw.TOP_MASK << 16)) | (((top + 1) & 7) << (Fsw.TOP_SHIFT + 16))) >>> 0;
    rotateWords(w, 1);
  }

  /** Two-bit tag of physical register `phys`, derived from its contents (SDM Fig. 8-7). */
  fullTag(phys: number): number {
    if ((this.image[Fx.FTW] & (1 << phys)) === 0) return Tag.Empty;
    const v = this.readSt((phys - this.top) & 7);
    const exp = v.signExp & 0x7fff;
    if (exp === 0x7fff) return Tag.Special;
    if (exp === 0) return v.hi === 0 && v.lo === 0 ? Tag.Zero : Tag.Special;
    return (v.hi & 0x80000000) !== 0 ? Tag.Valid : Tag.Special;
  }

  /** The full tag word of FSTENV/FSAVE (two bits per physical register). */
  get fullTagWord(): number {
    let tw = 0;
    for (let p = 0; p < 8; p++) tw |= this.fullTag(p) << (2 * p);
    return tw;
  }

  /** FLDENV/FRSTOR: only "empty or not" survives in the abridged form. */
  set fullTagWord(tw: number) {
    let abridged = 0;
    for (let p = 0; p < 8; p++) if (((tw >> (2 * p)) & 3) !== Tag.Empty) abridged |= 1 << p;
    this.image[Fx.FTW] = abridged;
  }

  /**
   * After TOP += delta the new ST(i) is the old ST(i + delta): slot i takes old slot i + delta.
   * In place, the shorter end through a scratch buffer: a push or pop must not allocate.
   */
  private rotate(delta: number): void {
    const w = this.words;
    if (w) {
      rotateWords(w, delta);
      return;
    }
    const img = this.image;
    const start = Fx.ST0;
    const end = Fx.ST0 + 8 * SLOT;
    const cut = SLOT * delta;
    if (delta <= 4) {
      for (let k = 0; k < cut; k++) ROTATE_SCRATCH[k] = img[start + k];
      img.copyWithin(start, start + cut, end);
      for (let k = 0; k < cut; k++) img[end - cut + k] = ROTATE_SCRATCH[k];
    } else {
      const back = 8 * SLOT - cut;
      for (let k = 0; k < back; k++) ROTATE_SCRATCH[k] = img[end - back + k];
      img.copyWithin(start + back, start, end - back);
      for (let k = 0; k < back; k++) img[start + k] = ROTATE_SCRATCH[k];
    }
  }
}

const ROTATE_SCRATCH = new Uint8Array(4 * SLOT);

/** rotate() on the 32 words of the eight slots (4 words each). */
function rotateWords(w: Uint32Array, delta: number): void {
  const start = Fx.ST0 >> 2;
  const end = start + 32;
  if (delta === 1) {
    // Pop: slot 0 goes to the end.
    const a = w[start];
    const b = w[start + 1];
    const c = w[start + 2];
    const d = w[start + 3];
    w.copyWithin(start, start + 4, end);
    w[end - 4] = a;
    w[end - 3] = b;
    w[end - 2] = c;
    w[end - 1] = d;
  } else if (delta === 7) {
    // Push: slot 7 comes to the front.
    const a = w[end - 4];
    const b = w[end - 3];
    const c = w[end - 2];
    const d = w[end - 1];
    w.copyWithin(start + 4, start, end - 4);
    w[start] = a;
    w[start + 1] = b;
    w[start + 2] = c;
    w[start + 3] = d;
  } else {
    for (let n = 0; n < delta; n++) rotateWords(w, 1);
  }
}
