import type { MemoryRegion } from '@tsvm/core';
import { describe, expect, it } from 'vitest';
import { a20Fold, closedA20Layout } from '../src/memory/a20-window.js';

const region = (name: string, base: number, size: number, readonly = false): MemoryRegion => ({
  name,
  kind: readonly ? 'rom' : 'ram',
  base,
  size,
  bytes: new Uint8Array(size),
  readonly,
});

describe('closed A20 gate slot layout', () => {
  const low = region('ram-low', 0, 0xa0000);
  const mirror = region('rom-mirror', 0xe0000, 0x20000, true);
  const high = region('ram-high', 0x100000, 0x700000);
  const top = region('rom', 0xfffe0000, 0x20000, true);

  it('cuts the window out of the region that holds it and mirrors the first megabyte into it', () => {
    const { displaced, mappings } = closedA20Layout([low, mirror, high, top]);
    expect(displaced).toEqual([high]);
    expect(mappings.map((m) => [m.label, m.base.toString(16), m.size.toString(16), m.readonly])).toEqual([
      ["above the A20 window 'ram-high'", '200000', '600000', false],
      ["A20 wrap of 'ram-low'", '100000', 'a0000', false],
      ["A20 wrap of 'rom-mirror'", '1e0000', '20000', true],
    ]);
  });

  it('shares host bytes: the wrap of low RAM is the same memory', () => {
    const { mappings } = closedA20Layout([low, high]);
    const wrap = mappings.find((m) => m.label.includes('wrap'))!;
    low.bytes![0x500] = 0x5a;
    expect(wrap.bytes[0x500]).toBe(0x5a);
    const above = mappings.find((m) => m.label.includes('above'))!;
    high.bytes![0x100000] = 0x77; // guest-physical 0x200000
    expect(above.bytes[0]).toBe(0x77);
  });

  it('keeps the part below the window of a region that starts under 1 MiB', () => {
    const flat = region('ram', 0, 0x400000);
    const { displaced, mappings } = closedA20Layout([flat]);
    expect(displaced).toEqual([flat]);
    expect(mappings.map((m) => [m.base, m.size])).toEqual([
      [0, 0x100000],
      [0x200000, 0x200000],
      [0x100000, 0x100000],
    ]);
  });

  it('folds MMIO addresses in the window down only while the gate is closed', () => {
    expect(a20Fold(0x1b8000, false)).toBe(0xb8000);
    expect(a20Fold(0x1b8000, true)).toBe(0x1b8000);
    expect(a20Fold(0x200000, false)).toBe(0x200000);
    expect(a20Fold(0xb8000, false)).toBe(0xb8000);
  });
});
