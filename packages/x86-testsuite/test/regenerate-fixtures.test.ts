import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { crc32 } from '@tsvm/core';
import { describe, expect, it } from 'vitest';
import { qemuStatusFor } from '../src/differential/run-differential.js';
import { CPU_TEST_GUEST_NAMES, cpuTestGuest, guestImage } from '../src/guests/catalog.js';
import { packagePath } from '../src/package-files.js';
import {
  buildRandomImages,
  DEFAULT_RANDOM_COUNT,
  DEFAULT_RANDOM_SEED,
  DEFAULT_RANDOM16_COUNT,
} from '../src/random/run-random.js';
import { recordCrcs } from '../src/random/trace-records.js';
import {
  type FixtureManifest,
  type GuestFixtureInfo,
  hex32,
  type RandomFixtureInfo,
  writeManifest,
  writeRandomFixture,
  writeRawGuestFixture,
} from '../src/reference/fixtures.js';
import { qemuAvailability, runUnderQemu } from '../src/reference/qemu.js';
import { SAMPLE_COUNT, SAMPLE_SEED, sampleOutputFile } from './helpers/sample.js';

/**
 * Not a test: the fixture generator, run by scripts/regenerate-fixtures.sh with
 * TSVM_REGENERATE_FIXTURES=1. It runs every guest and the random images under QEMU and writes
 * fixtures/ (group outputs, random CRCs, one full random sample, the manifest).
 */
const enabled = process.env.TSVM_REGENERATE_FIXTURES === '1';
if (!enabled)
  console.info(
    'regenerate-fixtures: skipped (set TSVM_REGENERATE_FIXTURES=1, or run scripts/regenerate-fixtures.sh)',
  );

describe.runIf(enabled)('regenerate fixtures from QEMU', () => {
  it('writes every fixture', () => {
    const q = qemuAvailability();
    expect(q.available, q.reason).toBe(true);
    const guests: Record<string, GuestFixtureInfo> = {};
    for (const name of CPU_TEST_GUEST_NAMES) {
      const image = guestImage(name);
      const r = runUnderQemu(image);
      expect(r.status, `${name} exit status under QEMU`).toBe(qemuStatusFor(cpuTestGuest(name)));
      writeRawGuestFixture(name, r.output);
      const lines = new TextDecoder().decode(r.output).split('\n').length - 1;
      guests[name] = { imageCrc32: hex32(crc32(image)), status: r.status, lines };
      console.info(`${name}: ${lines} lines`);
    }
    const random: RandomFixtureInfo[] = [];
    for (const [seed, count, mode] of [
      [DEFAULT_RANDOM_SEED, DEFAULT_RANDOM_COUNT, 32],
      [DEFAULT_RANDOM_SEED, DEFAULT_RANDOM16_COUNT, 16],
      [SAMPLE_SEED, SAMPLE_COUNT, 32],
    ] as const) {
      const images = buildRandomImages(seed, count, mode).map((img, index) => {
        const r = runUnderQemu(img.bytes);
        expect(r.status, `random image under QEMU`).toBe(1);
        if (seed === SAMPLE_SEED)
          writeFileSync(packagePath(sampleOutputFile(index)), gzipSync(r.output, { level: 9 }));
        return { imageCrc32: crc32(img.bytes), crcs: recordCrcs(r.output) };
      });
      expect(images.length, 'the sample must fit one image').toBeGreaterThan(0);
      const file = writeRandomFixture({ seed, count, images }, mode);
      const records = images.reduce((n, img) => n + img.crcs.length, 0);
      random.push({ file, seed, count, records });
      console.info(`${file}: ${images.length} images, ${records} records`);
    }
    const manifest: FixtureManifest = {
      generator: 'test/regenerate-fixtures.test.ts',
      qemu: `${q.version} (TCG)`,
      guests,
      random,
    };
    writeManifest(manifest);
  }, 600_000);
});
