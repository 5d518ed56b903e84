import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describeTableSequence, opcodeChoices, opcodeTableProgram, runDumpRandom } from '@tsvm/x86-testsuite';
import { expect, test } from 'vitest';
import { ONE_BYTE, TWO_BYTE, tcg } from '../../src/index.js';
import { randomDir } from '../guest-directory.js';

/**
 * Randomized differential test through @tsvm/x86-testsuite's dump-line harness: thousands of
 * seeded instruction sequences drawn from this executor's own opcode table run on tsvm-tcg; the
 * register and flag dump after every instruction must match QEMU's, recorded as hashes in
 * guests/random/expected-[16-]SEED.txt. The second run executes the sequences in a 16-bit
 * protected-mode code segment (default operand and address size 16).
 * TSVM_LIVE_QEMU=1 (optionally TSVM_SEED=n) compares with QEMU live instead;
 * TSVM_QEMU_FIXTURES=1 rewrites the fixtures with QEMU first.
 */
export const RANDOM_SEED = 20261125;
export const RANDOM_COUNT = 3000;
/** The 16-bit code-segment run: fewer sequences (they must fit in one 64 KiB segment). */
export const RANDOM16_COUNT = 250;

const live = process.env.TSVM_LIVE_QEMU === '1';
const regenerate = process.env.TSVM_QEMU_FIXTURES === '1';
const seed = live && process.env.TSVM_SEED ? Number(process.env.TSVM_SEED) : RANDOM_SEED;
const runner = new Uint8Array(readFileSync(new URL('runner.bin', randomDir)));
const choices = opcodeChoices(ONE_BYTE, TWO_BYTE);

for (const [code16, count] of [
  [false, RANDOM_COUNT],
  [true, RANDOM16_COUNT],
] as const) {
  const bits = code16 ? 16 : 32;
  test(`${count} random instruction sequences in ${bits}-bit code match QEMU (seed ${seed}${live ? ', live' : ''})`, async () => {
    const r = await runDumpRandom({
      accelerator: tcg,
      program: opcodeTableProgram(choices, seed, count, code16),
      seed,
      runner,
      fixturePath: fileURLToPath(new URL(`expected-${code16 ? '16-' : ''}${seed}.txt`, randomDir)),
      reference: live ? 'qemu' : regenerate ? 'regenerate' : 'fixture',
      title: `divergence: seed ${seed}, ${bits}-bit code`,
      columns: '  columns:   tag: eax ecx edx ebx esp ebp esi edi eflags',
      describe: describeTableSequence,
    });
    expect(r.ok, r.report).toBe(true);
  }, 180_000);
}
