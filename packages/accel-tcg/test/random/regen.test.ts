import { writeFileSync } from 'node:fs';
import { test } from 'vitest';
import { runQemu } from '../harness/qemu.js';
import { fixturePath, formatFixture, RANDOM_COUNT, RANDOM_SEED, randomRom } from './fixture.js';

// Fixture generator, not a check: TSVM_QEMU_FIXTURES=1 pnpm vitest run test/random/regen.test.ts
test.skipIf(process.env.TSVM_QEMU_FIXTURES !== '1')(
  'regenerates the randomized-test QEMU fixture (skipped unless TSVM_QEMU_FIXTURES=1)',
  () => {
    const { rom } = randomRom(RANDOM_SEED, RANDOM_COUNT);
    const q = runQemu(rom);
    if (q.status !== 1) throw new Error(`QEMU ended with status ${q.status}`);
    writeFileSync(fixturePath(RANDOM_SEED), formatFixture(RANDOM_SEED, RANDOM_COUNT, rom, q.text));
  },
);
