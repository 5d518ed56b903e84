import { liveQemuReference, qemuAvailability, runRomGuest } from '@tsvm/x86-testsuite';
import { describe, expect, test } from 'vitest';
import { tcg } from '../../src/index.js';
import { guests } from '../guest-directory.js';

/**
 * The transcendental guest (guests/src/x87trans.asm) against QEMU within a stated tolerance:
 * status words must agree bit for bit apart from PE and C1 (whether the last bit was rounded
 * depends on the last bit itself), and every result must be within TOLERANCE_ULPS units in the
 * last place (64-bit significand) of QEMU's. QEMU 7.2 evaluates FSIN, FCOS, FSINCOS and FPTAN
 * through the host's double-precision sin/cos/tan, so those agree only to about 53 bits; its
 * F2XM1, FYL2X, FYL2XP1 and FPATAN are evaluated in extended precision.
 */
const OPS = ['fsin', 'fcos', 'fsincos', 'fptan', 'f2xm1', 'fpatan', 'fyl2x', 'fyl2xp1'];
export const TOLERANCE_ULPS: Record<string, number> = {
  fsin: 2 ** 12,
  fcos: 2 ** 12,
  fsincos: 2 ** 12,
  fptan: 2 ** 12,
  f2xm1: 2,
  fpatan: 2,
  fyl2x: 2,
  fyl2xp1: 2,
};
const LIVE = process.env.TSVM_LIVE_QEMU === '1';

/** An 80-bit value as an integer whose order is the values' order (finite values). */
function ordinal(signExp: string, mant: string): bigint {
  const mag = (BigInt(Number.parseInt(signExp, 16) & 0x7fff) << 64n) | BigInt(`0x${mant}`);
  return Number.parseInt(signExp, 16) & 0x8000 ? -mag : mag;
}

export function compareTranscripts(
  expected: string,
  actual: string,
): { worst: Record<string, number>; problems: string[] } {
  const e = expected.split('\n');
  const a = actual.split('\n');
  const worst: Record<string, number> = Object.fromEntries(OPS.map((o) => [o, 0]));
  const problems: string[] = [];
  let op = 0;
  for (let k = 0; k < Math.max(e.length, a.length); k++) {
    if (/^[0-9a-f]{8}:/.test(e[k] ?? '')) {
      op = 0;
      if (e[k] !== a[k]) problems.push(`line ${k + 1}: expected '${e[k]}', got '${a[k]}'`);
      continue;
    }
    if (!e[k] && !a[k]) continue;
    const [esw, ...ev] = (e[k] ?? '').split(' ');
    const [asw, ...av] = (a[k] ?? '').split(' ');
    const name = OPS[op++];
    if (((Number.parseInt(esw, 16) ^ Number.parseInt(asw, 16)) & ~0x0220) !== 0) {
      problems.push(`line ${k + 1} (${name}): status ${asw}, QEMU ${esw}`);
      continue;
    }
    for (let r = 0; r < 4; r += 2) {
      const [ese, em, ase, am] = [ev[r], ev[r + 1], av[r], av[r + 1]];
      if (ese === ase && em === am) continue;
      const special = (se: string) => (Number.parseInt(se, 16) & 0x7fff) === 0x7fff;
      if (special(ese) || special(ase)) {
        problems.push(`line ${k + 1} (${name}): ${ase} ${am}, QEMU ${ese} ${em}`);
        continue;
      }
      const d = ordinal(ese, em) - ordinal(ase, am);
      const ulps = Number(d < 0n ? -d : d);
      worst[name] = Math.max(worst[name], ulps);
      if (ulps > TOLERANCE_ULPS[name])
        problems.push(`line ${k + 1} (${name}): ${ase} ${am} is ${ulps} ulps from QEMU's ${ese} ${em}`);
    }
  }
  return { worst, problems };
}

describe('x87 transcendentals against QEMU, within the stated tolerance', () => {
  test('FSIN FCOS FSINCOS FPTAN F2XM1 FPATAN FYL2X FYL2XP1', async () => {
    const g = guests.load('x87trans');
    const expected = LIVE && qemuAvailability().available ? liveQemuReference(g.rom).text : g.expected;
    const r = await runRomGuest(tcg, g);
    expect(r.stop).toEqual({ reason: 'exit', status: g.status });
    const { worst, problems } = compareTranscripts(expected, r.text);
    console.log(`x87 transcendentals: worst distance from QEMU in ulps ${JSON.stringify(worst)}`);
    expect(problems).toEqual([]);
  });

  test('the comparison itself: a result one ulp over the tolerance is reported', () => {
    const head = 'ffff0000:0000';
    const line = (m: string) => `3000 3fff ${m} 0000 0000000000000000`;
    const e = [head, line('8000000000000000'), ...new Array(7).fill(line('8000000000000000'))].join('\n');
    const a = [
      head,
      line((0x8000000000000000n + 4097n).toString(16)),
      ...new Array(7).fill(line('8000000000000000')),
    ].join('\n');
    const { problems, worst } = compareTranscripts(e, a);
    expect(worst.fsin).toBe(4097);
    expect(problems).toEqual([
      `line 2 (fsin): 3fff ${(0x8000000000000000n + 4097n).toString(16)} is 4097 ulps from QEMU's 3fff 8000000000000000`,
    ]);
  });
});
