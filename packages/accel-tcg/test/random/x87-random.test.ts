import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { ONE_BYTE, type OpSpec } from '../../src/index.js';
import { GUESTS_DIR } from '../harness/fixtures.js';
import { qemuAvailable, runQemu } from '../harness/qemu.js';
import { runGuest } from '../harness/tcg-runner.js';
import { fnv1a, formatFixture, groupDumps } from './fixture.js';
import { buildX87Rom, describeX87Sequence, type X87Sequence } from './x87-generator.js';

/**
 * Randomized x87 differential test: seeded sequences of random x87 instructions with random
 * operands (special encodings over-represented) under random rounding control run
 * on tsvm-tcg; the FPU dump after every instruction (status word without C1/DE, tag word,
 * ZF/PF/CF, ST(0)-ST(7), stored bytes) must equal QEMU's. CI checks X87_COUNT sequences against
 * the hashes committed in guests/random/x87-expected-SEED.txt; with QEMU installed,
 * TSVM_X87_RANDOM=n [TSVM_SEED=s] runs n sequences against QEMU live (thousands: a minute or two).
 * Regenerate the fixture with TSVM_QEMU_FIXTURES=1 pnpm vitest run test/random/x87-random.test.ts.
 */
export const X87_SEED = 20261206;
const X87_COUNT = 400;
const live = process.env.TSVM_X87_RANDOM !== undefined;
const count = live ? Number(process.env.TSVM_X87_RANDOM) : X87_COUNT;
const seed = live && process.env.TSVM_SEED ? Number(process.env.TSVM_SEED) : X87_SEED;
const fixturePath = (s: number) => join(GUESTS_DIR, 'random', `x87-expected-${s}.txt`);
const runner = () => new Uint8Array(readFileSync(join(GUESTS_DIR, 'random', 'x87-runner.bin')));

interface Reference {
  matches(seq: number, insn: number, line: string | undefined): boolean;
  line(seq: number, insn: number): string | undefined;
}

function reference(rom: Uint8Array, s: number, n: number): Reference {
  if (live || process.env.TSVM_QEMU_FIXTURES === '1') {
    if (!qemuAvailable()) throw new Error('qemu-system-i386 is not installed (needed for a live x87 run)');
    const q = runQemu(rom, 600);
    if (q.status !== 1) throw new Error(`QEMU ended with status ${q.status}`);
    if (process.env.TSVM_QEMU_FIXTURES === '1')
      writeFileSync(fixturePath(s), formatFixture(s, n, rom, q.text));
    const groups = groupDumps(q.text);
    return {
      matches: (k, j, line) => line !== undefined && groups.get(k)?.[j] === line,
      line: (k, j) => groups.get(k)?.[j],
    };
  }
  const path = fixturePath(s);
  if (!existsSync(path))
    throw new Error(`no x87 fixture for seed ${s}: regenerate it (see the test's comment)`);
  const [head, ...rest] = readFileSync(path, 'utf8').trim().split('\n');
  const m = /seed (\d+) count (\d+) rom ([0-9a-f]+)/.exec(head);
  if (!m || Number(m[2]) !== n) throw new Error(`${path}: header '${head}' does not describe ${n} sequences`);
  if (Number.parseInt(m[3], 16) !== fnv1a(rom))
    throw new Error(
      'the generated x87 ROM differs from the fixture: the generator or runner changed; regenerate',
    );
  const hashes = rest.map((l) =>
    l
      .split(' ')
      .slice(1)
      .map((h) => Number.parseInt(h, 16)),
  );
  return {
    matches: (k, j, line) => line !== undefined && hashes[k]?.[j] === fnv1a(line),
    line: () => (qemuAvailable() ? undefined : '(QEMU not installed: only its hash is committed)'),
  };
}

/** Run the differential; returns the first divergence as a message (undefined when none). */
async function differential(s: number, n: number): Promise<string | undefined> {
  const { rom, sequences } = buildX87Rom(s, n, runner());
  const ref = reference(rom, s, n);
  const r = await runGuest(rom, 600_000);
  const got = groupDumps(r.text);
  for (let k = 0; k < n; k++) {
    const seq: X87Sequence = sequences[k];
    for (let j = 0; j < seq.insns.length; j++) {
      const line = got.get(k)?.[j];
      if (!ref.matches(k, j, line)) {
        const refLine =
          ref.line(k, j) ?? (qemuAvailable() ? groupDumps(runQemu(rom, 600).text).get(k)?.[j] : undefined);
        return [
          `x87 divergence: seed ${s}, sequence ${k}, instruction #${j} (${seq.insns[j].name})`,
          describeX87Sequence(seq),
          '  columns:   tag: fsw(C1,DE masked) ftw zf/pf/cf st0..st7 stored-bytes',
          `  reference: ${refLine ?? '<missing>'}`,
          `  tcg:       ${line ?? '<missing>'}`,
        ].join('\n');
      }
    }
  }
  if (r.stop.reason !== 'exit' || r.stop.status !== 1)
    return `x87 random run ended with ${JSON.stringify(r.stop)}`;
  return undefined;
}

test(`${count} random x87 sequences match QEMU (seed ${seed}${live ? ', live' : ''})`, async () => {
  const d = await differential(seed, count);
  if (d) expect.fail(d);
}, 900_000);

// A planted rounding bug must be caught and named: the arithmetic of escapes D8 and DC (FADD
// FMUL FSUB FSUBR FDIV FDIVR, register and memory forms) rounds toward zero whatever FCW.RC says.
const planted: OpSpec[][] = [0xd8, 0xdc].flatMap((b) => [
  ONE_BYTE[b].regForms as OpSpec[],
  ONE_BYTE[b].group as OpSpec[],
]);
const saved = planted.map((list) => list.slice());
afterEach(() => {
  planted.forEach((list, n) => {
    for (let k = 0; k < list.length; k++) list[k] = saved[n][k];
  });
});

test('a planted rounding bug (D8/DC arithmetic always chops) is caught and named with its seed', async () => {
  planted.forEach((list, n) => {
    for (let k = 0; k < list.length; k++) {
      const right = saved[n][k].h;
      list[k] = {
        ...saved[n][k],
        h: (c, i) => {
          const fcw = c.fpu.fcw;
          c.fpu.fcw = fcw | 0x0c00;
          try {
            right(c, i);
          } finally {
            // Keep what the instruction did to the control word (nothing) but the rounding.
            c.fpu.fcw = fcw;
          }
        },
      };
    }
  });
  const d = await differential(seed, count);
  console.log(`planted rounding bug: ${d?.split('\n')[0]}`);
  expect(d).toMatch(
    new RegExp(
      `^x87 divergence: seed ${seed}, sequence \\d+, instruction #\\d+ \\((dc )?fi?(add|mul|subr?|divr?)[ )]`,
    ),
  );
}, 900_000);
