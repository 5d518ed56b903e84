import { crc32 } from '@tsvm/core';
import { describe, expect, it } from 'vitest';
import { compareGuestOutput } from '../src/differential/compare-lines.js';
import { qemuStatusFor } from '../src/differential/run-differential.js';
import { CPU_TEST_GUEST_NAMES, cpuTestGuest, guestImage } from '../src/guests/catalog.js';
import { buildRandomImages, DEFAULT_RANDOM_COUNT, DEFAULT_RANDOM_SEED } from '../src/random/run-random.js';
import { recordCrcs } from '../src/random/trace-records.js';
import { readRandomFixture, readRawGuestFixture } from '../src/reference/fixtures.js';
import { qemuAvailability, runUnderQemu } from '../src/reference/qemu.js';

/**
 * Live mode: when QEMU is installed, the committed fixtures must be exactly what QEMU prints
 * today (the references are deterministic and up to date with the images).
 */
const q = qemuAvailability();
if (!q.available) console.info(`QEMU live checks skipped: ${q.reason}`);

describe.runIf(q.available)('fixtures agree with a live QEMU run', () => {
  it.each(CPU_TEST_GUEST_NAMES)('%s', (name) => {
    const r = runUnderQemu(guestImage(name));
    expect(r.status).toBe(qemuStatusFor(cpuTestGuest(name)));
    const live = new TextDecoder().decode(r.output);
    expect(compareGuestOutput(readRawGuestFixture(name), live).divergence).toBeUndefined();
    expect(live).toBe(readRawGuestFixture(name));
  });

  it('the first image of the default random run', () => {
    const [image] = buildRandomImages(DEFAULT_RANDOM_SEED, DEFAULT_RANDOM_COUNT);
    const fixture = readRandomFixture(DEFAULT_RANDOM_SEED, DEFAULT_RANDOM_COUNT)!;
    expect(fixture.images[0].imageCrc32).toBe(crc32(image.bytes));
    const r = runUnderQemu(image.bytes);
    expect(r.status).toBe(1);
    expect(recordCrcs(r.output)).toEqual(fixture.images[0].crcs);
  });

  it('refuses an image QEMU cannot take as a BIOS', () => {
    expect(() => runUnderQemu(new Uint8Array(4096))).toThrow(/multiple of 64 KiB, got 4096 bytes/);
  });
});
