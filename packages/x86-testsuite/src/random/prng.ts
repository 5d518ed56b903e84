/**
 * A small seeded PRNG (xorshift128) so a randomized test reproduces exactly from its seed on any
 * machine. `forSequence(seed, index)` gives every sequence its own stream: sequence N is the same
 * whatever the count, so one sequence can be regenerated and printed on its own.
 */
export class Prng {
  private x: number;
  private y: number;
  private z: number;
  private w: number;

  constructor(seed: number) {
    // splitmix-style scrambling of the seed into four non-zero words.
    let s = seed >>> 0;
    const mix = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let t = s;
      t = Math.imul(t ^ (t >>> 16), 0x85ebca6b) >>> 0;
      t = Math.imul(t ^ (t >>> 13), 0xc2b2ae35) >>> 0;
      return (t ^ (t >>> 16)) >>> 0 || 0x1234567;
    };
    this.x = mix();
    this.y = mix();
    this.z = mix();
    this.w = mix();
  }

  static forSequence(seed: number, index: number): Prng {
    return new Prng((Math.imul(seed >>> 0, 0x2545f491) ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
  }

  /** Next unsigned 32-bit value. */
  next(): number {
    const t = this.x ^ (this.x << 11);
    this.x = this.y;
    this.y = this.z;
    this.z = this.w;
    this.w = (this.w ^ (this.w >>> 19) ^ (t ^ (t >>> 8))) >>> 0;
    return this.w;
  }

  /** Integer in [0, n). */
  below(n: number): number {
    return Math.floor((this.next() / 0x100000000) * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)];
  }

  chance(p: number): boolean {
    return this.next() / 0x100000000 < p;
  }
}

/** Values that sit on the boundaries flags care about, mixed with random ones. */
const INTERESTING = [
  0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0x80000001,
  0xfffffffe, 0xffffffff,
];

/** A 32-bit operand value: half the time an interesting one (sometimes with random upper bits). */
export function operandValue(rng: Prng): number {
  const r = rng.below(8);
  if (r < 3) return rng.pick(INTERESTING) >>> 0;
  if (r === 3) return (rng.next() & 0xffffff00) | (rng.pick(INTERESTING) & 0xff);
  if (r === 4) return rng.below(32) >>> 0;
  return rng.next();
}
