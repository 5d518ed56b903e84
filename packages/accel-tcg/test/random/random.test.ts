import { expect, test } from 'vitest';
import { qemuAvailable, runQemu } from '../harness/qemu.js';
import { runGuest } from '../harness/tcg-runner.js';
import {
  fnv1a,
  groupDumps,
  RANDOM_COUNT,
  RANDOM_SEED,
  RANDOM16_COUNT,
  randomRom,
  readFixture,
} from './fixture.js';
import { describeSequence } from './generator.js';

/**
 * Randomized differential test: thousands of generated instruction sequences (seeded, from the
 * opcode table) run on tsvm-tcg; the register and flag dump after every instruction must match
 * QEMU's, recorded in guests/random/expected-[16-]SEED.txt (regenerate with
 * `TSVM_QEMU_FIXTURES=1 pnpm vitest run test/random/regen.test.ts`). The second run executes the
 * sequences in a 16-bit code segment (default operand and address size 16).
 * With TSVM_LIVE_QEMU=1 (and optionally TSVM_SEED=n), it compares against QEMU live instead.
 */
const live = process.env.TSVM_LIVE_QEMU === '1';
const seed = live && process.env.TSVM_SEED ? Number(process.env.TSVM_SEED) : RANDOM_SEED;

for (const [code16, count] of [
  [false, RANDOM_COUNT],
  [true, RANDOM16_COUNT],
] as const) {
  const what = `${count} random instruction sequences in ${code16 ? '16' : '32'}-bit code`;
  test(`${what} match QEMU (seed ${seed}${live ? ', live' : ''})`, async () => {
    const { rom, sequences } = randomRom(seed, count, code16);
    let expected: (seqIndex: number, insn: number, line: string | undefined) => boolean;
    let reference: string | undefined;
    if (live) {
      if (!qemuAvailable()) throw new Error('TSVM_LIVE_QEMU=1 but qemu-system-i386 is not installed');
      reference = runQemu(rom).text;
      const groups = groupDumps(reference);
      expected = (k, j, line) => line !== undefined && groups.get(k)?.[j] === line;
    } else {
      const fx = readFixture(seed, code16);
      if (!fx) {
        throw new Error(
          `no fixture for seed ${seed}: run TSVM_QEMU_FIXTURES=1 pnpm vitest run test/random/regen.test.ts`,
        );
      }
      if (fx.romHash !== fnv1a(rom)) {
        throw new Error(
          'the generated ROM differs from the one the fixture was made from: the generator or runner changed; regenerate the fixture',
        );
      }
      expected = (k, j, line) => line !== undefined && fx.hashes[k]?.[j] === fnv1a(line);
    }
    const r = await runGuest(rom, 60000);
    const got = groupDumps(r.text);
    for (let k = 0; k < count; k++) {
      const seq = sequences[k];
      for (let j = 0; j < seq.insns.length; j++) {
        const line = got.get(k)?.[j];
        if (!expected(k, j, line)) {
          const ref = reference ?? (qemuAvailable() ? runQemu(rom).text : undefined);
          const refLine = ref ? groupDumps(ref).get(k)?.[j] : undefined;
          expect.fail(
            [
              `divergence: seed ${seed}, ${code16 ? '16' : '32'}-bit code, sequence ${k}, instruction #${j} (${seq.insns[j].name})`,
              describeSequence(seq),
              '  columns:   tag: eax ecx edx ebx esp ebp esi edi eflags',
              `  reference: ${refLine ?? (ref ? '<missing>' : '(QEMU not installed: only its hash is committed)')}`,
              `  tcg:       ${line ?? '<missing>'}`,
            ].join('\n'),
          );
        }
      }
    }
    expect(r.stop).toEqual({ reason: 'exit', status: 1 });
  }, 120_000);
}
