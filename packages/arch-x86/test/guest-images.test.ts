import { readdirSync, readFileSync } from 'node:fs';
import { Machine } from '@tsvm/core';
import { describe, expect, it } from 'vitest';
import { GUEST_IMAGES } from '../src/testing/guest-images.js';
import { setUpConformanceGuest, x86GuestScenarios } from '../src/testing/x86-guest-scenarios.js';
import { x86Arch } from '../src/x86-arch.js';

const guestsDir = new URL('../guests/', import.meta.url);

describe('conformance guest images', () => {
  it('embed exactly the committed binaries (run guests/build.sh after editing a .asm)', () => {
    const bins = readdirSync(guestsDir).filter((f) => f.endsWith('.bin'));
    expect(Object.keys(GUEST_IMAGES).sort()).toEqual(bins.map((f) => f.replace(/\.bin$/, '')).sort());
    for (const f of bins) {
      const committed = readFileSync(new URL(f, guestsDir));
      expect(Buffer.from(GUEST_IMAGES[f.replace(/\.bin$/, '')], 'base64').equals(committed)).toBe(true);
    }
  });

  it('place the ROM so the reset vector holds a jump', async () => {
    const accel = {
      name: 'none',
      probe: () => ({ available: true, reason: 'test' }),
      createVm: () => ({ createVcpu: () => ({ run: () => ({ kind: 'yield' as const }) }) }),
    };
    const m = await Machine.create({ arch: x86Arch, accelerator: accel });
    setUpConformanceGuest(m, 'realmode-hello');
    expect(m.memory.read(0xfffffff0, 1)).toBe(0xe9); // near JMP rel16
    expect(() => setUpConformanceGuest(m, 'nope')).toThrow("no conformance guest named 'nope'");
    expect(x86GuestScenarios().map((s) => s.name)).toHaveLength(2);
  });
});
