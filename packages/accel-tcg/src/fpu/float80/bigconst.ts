/**
 * Mathematical constants in BigInt fixed point (value × 2^FRAC, truncated), computed once from
 * series: π by Machin's formula, ln 2 = 2 atanh(1/3), ln 10 = 3 ln 2 + 2 atanh(1/9).
 */

/** Fractional bits of the fixed-point constants (error below 2^-(FRAC-8)). */
export const FRAC = 384;
const GUARD = 32;
const W = BigInt(FRAC + GUARD);

/** Σ sign^k / ((2k+1) n^(2k+1)) in fixed point W: atan(1/n) (alternating) or atanh(1/n). */
function inverseSeries(n: bigint, alternating: boolean): bigint {
  const n2 = n * n;
  let power = (1n << W) / n;
  let sum = 0n;
  for (let k = 0n; power !== 0n; k++) {
    const term = power / (2n * k + 1n);
    sum += alternating && k % 2n === 1n ? -term : term;
    power /= n2;
  }
  return sum;
}

let cache: { pi: bigint; ln2: bigint; ln10: bigint } | undefined;

function constants(): { pi: bigint; ln2: bigint; ln10: bigint } {
  if (!cache) {
    const pi = 16n * inverseSeries(5n, true) - 4n * inverseSeries(239n, true);
    const ln2 = 2n * inverseSeries(3n, false);
    const ln10 = 3n * ln2 + 2n * inverseSeries(9n, false);
    const g = BigInt(GUARD);
    cache = { pi: pi >> g, ln2: ln2 >> g, ln10: ln10 >> g };
  }
  return cache;
}

/** π × 2^FRAC. */
export function piFixed(): bigint {
  return constants().pi;
}
/** ln 2 × 2^FRAC. */
export function ln2Fixed(): bigint {
  return constants().ln2;
}
/** ln 10 × 2^FRAC. */
export function ln10Fixed(): bigint {
  return constants().ln10;
}
