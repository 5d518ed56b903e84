import { writeFileSync } from 'node:fs';
import { test } from 'vitest';
import { runQemu } from '../harness/qemu.js';
import {
  fixturePath,
  formatFixture,
  RANDOM_COUNT,
  RANDOM_SEED,
  RANDOM16_COUNT,
  randomRom,
} from './fixture.js';

// Fixture generator, not a check: TSVM_QEMU_FIXTURES=1 pnpm vitest run test/random/regen.test.ts
test.skipIf(process.env.TSVM_QEMU_FIXTURES !== '1')(
  'regenerates the randomized-test QEMU fixtures (skipped unless TSVM_QEMU_FIXTURES=1)',
  () => {
    for (const [code16, count] of [
      [false, RANDOM_COUNT],
      [true, RANDOM16_COUNT],
    ] as const) {
      const { rom } = randomRom(RANDOM_SEED, count, code16);
      const q = runQemu(rom);
      if (q.status !== 1) throw new Error(`QEMU ended with status ${q.status}`);
      writeFileSync(fixturePath(RANDOM_SEED, code16), formatFixture(RANDOM_SEED, count, rom, q.text));
    }
  },
  120_000,
);
