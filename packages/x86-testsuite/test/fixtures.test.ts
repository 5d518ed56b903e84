import { crc32 } from '@tsvm/core';
import { describe, expect, it } from 'vitest';
import {
  CPU_TEST_GUEST_NAMES,
  checkFixtureMatchesImage,
  cpuTestGuest,
  cpuTestGuests,
  guestImage,
} from '../src/guests/catalog.js';
import { parseResultLine } from '../src/guests/result-lines.js';
import {
  buildRandomImages,
  DEFAULT_RANDOM_COUNT,
  DEFAULT_RANDOM_SEED,
  DEFAULT_RANDOM16_COUNT,
} from '../src/random/run-random.js';
import {
  applyOverrides,
  decodeRandomFixture,
  encodeRandomFixture,
  hex32,
  parseOverrides,
  readManifest,
  readOverrides,
  readRandomFixture,
} from '../src/reference/fixtures.js';

describe('group guests and their fixtures', () => {
  it('ships a 64 KiB ROM per group with its reset vector jump', () => {
    for (const g of cpuTestGuests()) {
      const image = g.image();
      expect(image.length, g.name).toBe(0x10000);
      expect(image[0xfff0], `${g.name} reset vector`).toBe(0xe9);
    }
  });

  it('has a fixture made from each committed image, every line a result line', () => {
    const manifest = readManifest();
    for (const name of CPU_TEST_GUEST_NAMES) {
      expect(() => checkFixtureMatchesImage(name)).not.toThrow();
      const text = cpuTestGuest(name).reference();
      const lines = text.split('\n').filter((l) => l !== '');
      expect(lines.length, name).toBe(manifest.guests[name].lines);
      expect(lines.length, name).toBeGreaterThan(['system', 'control', 'sysregs'].includes(name) ? 15 : 100);
      // The system guest announces its final triple fault on a line of its own.
      const bad = lines.filter(
        (l) => !parseResultLine(l) && !(name === 'system' && l === 'triple fault next'),
      );
      expect(bad.slice(0, 3), `${name}: unparsable lines`).toEqual([]);
      expect(manifest.guests[name].imageCrc32).toBe(hex32(crc32(guestImage(name))));
    }
  });

  it('covers every size and the #DE cases', () => {
    const alu = cpuTestGuest('alu').reference();
    for (const n of ['adc8 ', 'adc8h ', 'adc16 ', 'adc32 ', 'sbb32m ', 'neg16 '])
      expect(alu).toContain(`\n${n}`);
    const muldiv = cpuTestGuest('muldiv').reference();
    expect(muldiv).toMatch(/^div32 .* !00 [0-9a-f]{8}$/m);
    expect(muldiv).toMatch(/^idiv8 .* !00 [0-9a-f]{8}$/m);
  });

  it('applies the SDM override where QEMU skips the segment-limit check', () => {
    const system = cpuTestGuest('system');
    expect(system.ending).toBe('shutdown');
    expect(system.reference()).toMatch(/^gp_limit .* !0d ffff[0-9a-f]{4}$/m);
    expect(system.reference().trimEnd().split('\n').at(-1)).toBe('triple fault next');
    expect(system.reference()).toMatch(/^pf_user_ro_write 00000000 00000000 002 : 00000007 00401000 /m);
    expect(system.reference()).toMatch(/^gp_ring3_null_ds .* !0d ffff[0-9a-f]{4}$/m);
    expect(cpuTestGuest('sysregs').reference()).toMatch(/^msr_unknown .* !0d ffff[0-9a-f]{4}$/m);
  });

  it('refuses an unknown guest name', () => {
    expect(() => cpuTestGuest('nope')).toThrow(/no CPU test guest named 'nope' \(have: alu, shifts/);
  });
});

describe('SDM overrides', () => {
  it('parses the committed file', () => {
    expect(() => readOverrides()).not.toThrow();
  });

  it('replaces the line with the given inputs and needs a justification', () => {
    const [o] = parseOverrides(
      'alu: add8 00000001 00000002 002 => 00000003 00000002 00000002 fffffffe 006  # SDM vol. 2A ADD',
    );
    expect(o.justification).toBe('SDM vol. 2A ADD');
    const text = 'add8 00000001 00000002 002 : 00000003 00000002 00000002 fffffffe 002\nadd8 x\n';
    expect(applyOverrides('alu', text, [o]).split('\n')[0]).toBe(
      'add8 00000001 00000002 002 : 00000003 00000002 00000002 fffffffe 006',
    );
    expect(applyOverrides('shifts', text, [o])).toBe(text);
    expect(() =>
      parseOverrides('alu: add8 00000001 00000002 002 => 00000003 00000002 00000002 fffffffe 006'),
    ).toThrow(
      /line 1: expected '<guest>: <name> <a> <b> <flags-in> => <eax> <ebx> <ecx> <edx> <flags> # why'/,
    );
    expect(() => applyOverrides('alu', 'nothing\n', [o])).toThrow(
      /no line 'add8 00000001 00000002 002' in the alu fixture/,
    );
  });
});

describe('random CRC fixtures', () => {
  it('has the default run, made from the images the generator builds today', () => {
    const f = readRandomFixture(DEFAULT_RANDOM_SEED, DEFAULT_RANDOM_COUNT);
    expect(f).toBeDefined();
    const images = buildRandomImages(DEFAULT_RANDOM_SEED, DEFAULT_RANDOM_COUNT);
    expect(f!.images.map((i) => i.imageCrc32)).toEqual(images.map((i) => crc32(i.bytes)));
    const records = f!.images.reduce((n, i) => n + i.crcs.length, 0);
    expect(records).toBeGreaterThan(DEFAULT_RANDOM_COUNT * 4);
  });

  it('round-trips and refuses bad files with the reason', () => {
    const f = { seed: 5, count: 2, images: [{ imageCrc32: 0x1234, crcs: Uint32Array.from([1, 2, 3]) }] };
    const bytes = encodeRandomFixture(f);
    expect(decodeRandomFixture(bytes)).toEqual(f);
    expect(() => decodeRandomFixture(bytes.subarray(0, 10), 'x.crc')).toThrow(
      /x.crc: too short \(10 bytes\)/,
    );
    const badMagic = bytes.slice();
    badMagic[0] = 0x41;
    expect(() => decodeRandomFixture(badMagic)).toThrow(/not a CRC fixture/);
    expect(() => decodeRandomFixture(bytes.subarray(0, bytes.length - 4))).toThrow(
      /truncated: image 0 claims 3 records/,
    );
    expect(() => decodeRandomFixture(Uint8Array.from([...bytes, 0]))).toThrow(/1 bytes of trailing garbage/);
    const newer = bytes.slice();
    newer[8] = 9;
    expect(() => decodeRandomFixture(newer)).toThrow(/version 9, this suite reads version 1/);
  });

  it('has the default real-mode run, made from the images the generator builds today', () => {
    const f = readRandomFixture(DEFAULT_RANDOM_SEED, DEFAULT_RANDOM16_COUNT, 16);
    expect(f).toBeDefined();
    const images = buildRandomImages(DEFAULT_RANDOM_SEED, DEFAULT_RANDOM16_COUNT, 16);
    expect(f!.images.map((i) => i.imageCrc32)).toEqual(images.map((i) => crc32(i.bytes)));
  });

  it('returns nothing for a seed without a fixture', () => {
    expect(readRandomFixture(0x1111, 3)).toBeUndefined();
  });
});
