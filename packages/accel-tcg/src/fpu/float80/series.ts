/**
 * The series behind the transcendental instructions, in `Mp` arithmetic (PREC = 200 bits):
 * sin/cos (Taylor, after reduction by π/2 in 384-bit fixed point), atan (three argument
 * halvings t → t / (1 + √(1 + t²)), then Taylor), ln (reduction to [√½, √2), then
 * 2·atanh((m-1)/(m+1))), expm1 (Taylor). Every series is summed until the next term is
 * below the sum's last bit; the final term is added anyway so its sign nudges the result.
 */
import { FRAC, ln2Fixed, piFixed } from './bigconst.js';
import { add, div, ldexp, type Mp, mp, mul, neg, PREC, scaleRatio, sqrt, sub, top } from './mp.js';
import type { RawExtended } from './values.js';
import { unpack } from './values.js';

const ONE: Mp = { m: 1n, e: 0 };

export function piMp(): Mp {
  return mp(piFixed(), -FRAC);
}
export function ln2Mp(): Mp {
  return mp(ln2Fixed(), -FRAC);
}

function negligible(term: Mp, sum: Mp): boolean {
  return term.m === 0n || top(term) < top(sum) - PREC - 8;
}

/** Σ of a series whose terms follow term(n) = step(term(n-1), n), starting at `first`. */
function sumSeries(first: Mp, step: (term: Mp, n: bigint) => Mp): Mp {
  let sum = first;
  let term = first;
  for (let n = 1n; ; n++) {
    term = step(term, n);
    sum = add(sum, term);
    if (negligible(term, sum)) return sum;
  }
}

/** sin and cos of a finite x with |x| < 2^63 (x may be tiny or denormal). */
export function sinCosMp(a: RawExtended): { sin: Mp; cos: Mp } {
  const u = unpack(a);
  let r: Mp;
  let quadrant = 0;
  const magnitude: Mp = mp(u.sig, u.exp);
  if (top(magnitude) < -1) {
    r = magnitude;
  } else {
    // k = round(2|x| / π), r = |x| - kπ/2, in fixed point with FRAC + 1 fractional bits.
    const pi = piFixed();
    const twoX = u.sig << BigInt(u.exp + FRAC + 1);
    const k = (twoX + (pi >> 1n)) / pi;
    r = mp(twoX - k * pi, -(FRAC + 1));
    quadrant = Number(k & 3n);
  }
  const r2 = mul(r, r);
  const s = sumSeries(r, (t, n) => scaleRatio(mul(t, r2), -1n, 2n * n * (2n * n + 1n)));
  const c = sumSeries(ONE, (t, n) => scaleRatio(mul(t, r2), -1n, (2n * n - 1n) * (2n * n)));
  const quadrants: [Mp, Mp][] = [
    [s, c],
    [c, neg(s)],
    [neg(s), neg(c)],
    [neg(c), s],
  ];
  const [sin, cos] = quadrants[quadrant];
  return { sin: u.sign ? neg(sin) : sin, cos };
}

/** atan(t) for 0 < t ≤ 1. */
export function atanMp(t: Mp): Mp {
  let x = t;
  for (let i = 0; i < 3; i++) x = div(x, add(ONE, sqrt(add(ONE, mul(x, x)))));
  const x2 = neg(mul(x, x));
  let power = x;
  let sum = x;
  for (let n = 1n; ; n++) {
    power = mul(power, x2);
    const term = scaleRatio(power, 1n, 2n * n + 1n);
    sum = add(sum, term);
    if (negligible(term, sum)) return ldexp(sum, 3);
  }
}

/** 2·atanh(s) = ln((1+s)/(1-s)) for |s| ≤ 0.2. */
function twoAtanh(s: Mp): Mp {
  const s2 = mul(s, s);
  let power = s;
  let sum = s;
  for (let n = 1n; ; n++) {
    power = mul(power, s2);
    const term = scaleRatio(power, 1n, 2n * n + 1n);
    sum = add(sum, term);
    if (negligible(term, sum)) return ldexp(sum, 1);
  }
}

/** ln z for z > 0. */
export function lnMp(z: Mp): Mp {
  let k = top(z);
  let m = ldexp(z, -k);
  // Keep m in [√½, √2) so ln m never cancels against k·ln 2.
  if (m.m * m.m > 2n << BigInt(-2 * m.e)) {
    k += 1;
    m = ldexp(m, -1);
  }
  const lnm = twoAtanh(div(sub(m, ONE), add(m, ONE)));
  return k === 0 ? lnm : add(lnm, mul(mp(BigInt(k)), ln2Mp()));
}

/** ln(1 + x) for |x| < 1/2, without forming 1 + x. */
export function ln1pMp(x: Mp): Mp {
  return twoAtanh(div(x, add({ m: 2n, e: 0 }, x)));
}

/** e^y - 1 for |y| ≤ 1. */
export function expm1Mp(y: Mp): Mp {
  return sumSeries(y, (t, n) => scaleRatio(mul(t, y), 1n, n + 1n));
}

export { ONE as MP_ONE };
