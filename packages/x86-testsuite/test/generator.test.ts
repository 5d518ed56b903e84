import { crc32 } from '@tsvm/core';
import { describe, expect, it } from 'vitest';
import { SCRATCH } from '../src/random/instruction-table.js';
import { Prng } from '../src/random/prng.js';
import {
  buildRandomImages,
  DEFAULT_RANDOM_COUNT,
  generateSequences,
  tracePrologue,
} from '../src/random/run-random.js';
import { formatSequence, generateSequence } from '../src/random/sequence.js';
import {
  buildTraceImages,
  readPrologueHeader,
  TRACE_LAYOUT_16,
  TRACE_ROM_BASE,
  TRACE_ROM_SIZE,
  TRACE_SEQ_AREA,
} from '../src/random/trace-image.js';

describe('seeded PRNG', () => {
  it('reproduces its stream from the seed and differs between seeds', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const c = new Prng(43);
    const sa = Array.from({ length: 100 }, () => a.next());
    expect(Array.from({ length: 100 }, () => b.next())).toEqual(sa);
    expect(Array.from({ length: 100 }, () => c.next())).not.toEqual(sa);
    expect(new Set(sa).size).toBe(100);
  });

  it('stays in range', () => {
    const r = new Prng(7);
    for (let i = 0; i < 10000; i++) {
      const v = r.below(10);
      expect(v >= 0 && v < 10 && Number.isInteger(v)).toBe(true);
    }
  });
});

describe('sequence generator', () => {
  it('makes sequence N the same whatever the count, and different for another seed', () => {
    const few = generateSequences(123, 5);
    const many = generateSequences(123, 50);
    expect(many.slice(0, 5)).toEqual(few);
    expect(generateSequence(124, 3)).not.toEqual(few[3]);
  });

  it('makes a Jcc skip the whole next group, guards included', () => {
    let jumps = 0;
    for (const seq of generateSequences(31, 400)) {
      seq.steps.forEach((s, i) => {
        if (!s.skip) return;
        jumps++;
        const n = s.skip.steps ?? 0;
        expect(i + n).toBeLessThan(seq.steps.length);
        if (i + 1 < seq.steps.length) expect(n).toBeGreaterThan(0);
        // A guard never follows the skipped group: the instruction after it starts a new group.
      });
    }
    expect(jumps).toBeGreaterThan(50);
  });

  it('lists a sequence with its start state, steps and bytes, marking a step', () => {
    const seq = generateSequence(9, 0);
    const text = formatSequence(seq, { markStep: 1 });
    expect(text).toContain('sequence 0 of seed 0x9');
    expect(text).toContain('start: eax=');
    expect(text.split('\n').filter((l) => l.startsWith('>>'))).toHaveLength(1);
    expect(text.split('\n')).toHaveLength(3 + seq.steps.length);
  });

  it('refuses a bad seed or count with a clear message', () => {
    expect(() => generateSequences(-1, 5)).toThrow(/seed must be a 32-bit unsigned integer, got -1/);
    expect(() => generateSequences(2 ** 32, 5)).toThrow(/seed must be a 32-bit/);
    expect(() => generateSequences(1, 0)).toThrow(/count must be a positive integer, got 0/);
    expect(() => generateSequences(1, 2.5)).toThrow(/count must be a positive integer/);
  });
});

describe('trace images', () => {
  it('reads the prologue header the generator depends on', () => {
    const info = readPrologueHeader(tracePrologue());
    expect(info.dump).toBeGreaterThan(TRACE_ROM_BASE + TRACE_SEQ_AREA);
    expect(info.finish).toBeGreaterThan(TRACE_ROM_BASE + TRACE_SEQ_AREA);
    expect(info.scratch).toBe(SCRATCH);
  });

  it('builds real-mode images on the 16-bit prologue, with 16-bit glue', () => {
    const info = readPrologueHeader(tracePrologue(16), TRACE_LAYOUT_16);
    expect(info.dump).toBeLessThan(0x10000);
    const images = buildRandomImages(0xabc, 300, 16);
    expect(images.length).toBeGreaterThan(1);
    for (const img of images) expect(img.bytes.length).toBe(0x10000);
    const [p] = images[0].sequences;
    expect(p.sequence.mode).toBe(16);
    // The init starts with a 16-bit-addressed `mov dword [SEQ_INDEX], index`.
    expect([...images[0].bytes.subarray(0, 3)]).toEqual([0x66, 0xc7, 0x06]);
    // Real-mode sequences differ from the 32-bit ones of the same seed.
    expect(generateSequence(0xabc, 0, 16).registers).not.toEqual(generateSequence(0xabc, 0).registers);
  });

  it('refuses a prologue of the wrong size or without its header', () => {
    expect(() => readPrologueHeader(new Uint8Array(100))).toThrow(
      /trace prologue is 100 bytes, expected 131072/,
    );
    expect(() => readPrologueHeader(new Uint8Array(TRACE_ROM_SIZE))).toThrow(/no TSVMTRC1 header/);
  });

  it(`packs the default ${DEFAULT_RANDOM_COUNT} sequences into a few deterministic images`, () => {
    expect(DEFAULT_RANDOM_COUNT).toBeGreaterThanOrEqual(2000);
    const a = buildRandomImages(0xabc, DEFAULT_RANDOM_COUNT);
    const b = buildRandomImages(0xabc, DEFAULT_RANDOM_COUNT);
    expect(a.length).toBeGreaterThan(1);
    expect(a.length).toBeLessThan(10);
    expect(a.map((i) => crc32(i.bytes))).toEqual(b.map((i) => crc32(i.bytes)));
    expect(a.reduce((n, i) => n + i.sequences.length, 0)).toBe(DEFAULT_RANDOM_COUNT);
    // Every image keeps the prologue intact and ends the sequence area with a jump to `finish`.
    const prologue = tracePrologue();
    for (const img of a) {
      expect(img.bytes.length).toBe(TRACE_ROM_SIZE);
      expect(img.bytes.subarray(TRACE_SEQ_AREA)).toEqual(prologue.subarray(TRACE_SEQ_AREA));
    }
  });

  it('records where every step sits, with Jcc displacements filled in', () => {
    const [img] = buildTraceImages(tracePrologue(), generateSequences(77, 40));
    for (const p of img.sequences) {
      p.sequence.steps.forEach((s, i) => {
        const at = p.stepAddresses[i] - TRACE_ROM_BASE;
        expect([...img.bytes.subarray(at, at + p.stepBytes[i].length)]).toEqual([...p.stepBytes[i]]);
        if (s.skip) expect(p.stepBytes[i].length).toBe(s.skip.near ? 6 : 2);
        // Each step is followed by pushfd; push imm32 (step << 16 | keep); call dump; popfd.
        const tail = at + p.stepBytes[i].length;
        expect(img.bytes[tail]).toBe(0x9c);
        expect(img.bytes[tail + 1]).toBe(0x68);
        expect(new DataView(img.bytes.buffer, tail + 2, 4).getUint32(0, true)).toBe(
          ((i << 16) | s.keep) >>> 0,
        );
      });
    }
  });
});
