import { expect, test } from 'vitest';
import { qemuAvailable, runQemu } from '../harness/qemu.js';
import { runGuest } from '../harness/tcg-runner.js';
import { fnv1a, groupDumps, RANDOM_COUNT, RANDOM_SEED, randomRom, readFixture } from './fixture.js';
import { describeSequence } from './generator.js';

/**
 * Randomized differential test: thousands of generated instruction sequences (seeded, from the
 * opcode table) run on tsvm-tcg; the register and flag dump after every instruction must match
 * QEMU's, recorded in guests/random/expected-SEED.txt (regenerate with
 * `TSVM_QEMU_FIXTURES=1 pnpm vitest run test/random/regen.test.ts`).
 * With TSVM_LIVE_QEMU=1 (and optionally TSVM_SEED=n), it compares against QEMU live instead.
 */
const live = process.env.TSVM_LIVE_QEMU === '1';
const seed = live && process.env.TSVM_SEED ? Number(process.env.TSVM_SEED) : RANDOM_SEED;

test(`${RANDOM_COUNT} random instruction sequences match QEMU (seed ${seed}${live ? ', live' : ''})`, async () => {
  const { rom, sequences } = randomRom(seed, RANDOM_COUNT);
  let expected: (seqIndex: number, insn: number, line: string | undefined) => boolean;
  let reference: string | undefined;
  if (live) {
    if (!qemuAvailable()) throw new Error('TSVM_LIVE_QEMU=1 but qemu-system-i386 is not installed');
    reference = runQemu(rom).text;
    const groups = groupDumps(reference);
    expected = (k, j, line) => groups.get(k)?.[j] === line;
  } else {
    const fx = readFixture(seed);
    if (!fx)
      throw new Error(
        `no fixture for seed ${seed}: run TSVM_QEMU_FIXTURES=1 pnpm vitest run test/random/regen.test.ts`,
      );
    if (fx.romHash !== fnv1a(rom)) {
      throw new Error(
        'the generated ROM differs from the one the fixture was made from: the generator changed; regenerate the fixture',
      );
    }
    expected = (k, j, line) => line !== undefined && fx.hashes[k]?.[j] === fnv1a(line);
  }
  const r = await runGuest(rom, 60000);
  expect(r.stop).toEqual({ reason: 'exit', status: 1 });
  const got = groupDumps(r.text);
  for (let k = 0; k < RANDOM_COUNT; k++) {
    const seq = sequences[k];
    for (let j = 0; j < seq.insns.length; j++) {
      const line = got.get(k)?.[j];
      if (!expected(k, j, line)) {
        const ref = reference ?? (qemuAvailable() ? runQemu(rom).text : undefined);
        const refLine = ref ? groupDumps(ref).get(k)?.[j] : undefined;
        expect.fail(
          [
            `divergence: seed ${seed}, sequence ${k}, instruction #${j} (${seq.insns[j].name})`,
            describeSequence(seq),
            '  columns:   tag: eax ecx edx ebx esp ebp esi edi eflags',
            `  reference: ${refLine ?? (ref ? '<missing>' : '(QEMU not installed: only its hash is committed)')}`,
            `  tcg:       ${line ?? '<missing>'}`,
          ].join('\n'),
        );
      }
    }
  }
}, 120_000);
