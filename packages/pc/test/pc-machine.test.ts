import { describe, expect, it } from 'vitest';
import { makePc } from './helpers.js';

describe('the PC board', () => {
  it('has a snapshot section and a reset handler for every stateful device', async () => {
    const pc = await makePc();
    expect(pc.machine.sectionNames).toEqual(
      expect.arrayContaining([
        'ram',
        'clock',
        'cpu/0',
        'pic',
        'local-apic',
        'pit',
        'com1',
        'cmos',
        'fw-cfg',
        'post',
        'reset-control',
        'fast-a20',
      ]),
    );
    const resets = pc.machine.resets.names;
    for (const name of [
      'cpu/0',
      'pic',
      'local-apic',
      'pit',
      'com1',
      'cmos',
      'fw-cfg',
      'post',
      'debug-exit',
      'reset-control',
      'fast-a20',
    ]) {
      expect(resets).toContain(name);
    }
    // CPU first (devices may look at it), boot plan last (it sets the registers the CPU reset cleared).
    expect(resets[0]).toBe('cpu/0');
    expect(resets.at(-1)).toBe('boot');
  });

  it('lays out RAM below 640 KiB, shadow RAM from 768 KiB and RAM from 1 MiB, and refuses unsupported sizes', async () => {
    const pc = await makePc({ ramBytes: 8 * 1024 * 1024 });
    const ram = pc.machine.memory.regions.filter((r) => r.kind === 'ram').map((r) => [r.base, r.size]);
    expect(ram).toEqual([
      [0, 0xa0000],
      [0xc0000, 0x40000],
      [0x100000, 7 * 1024 * 1024],
    ]);
    await expect(makePc({ ramBytes: 1024 * 1024 })).rejects.toThrow(
      'outside the supported 2 MiB to 3072 MiB',
    );
    await expect(makePc({ ramBytes: 4 * 1024 * 1024 * 1024 })).rejects.toThrow('outside the supported');
    await expect(makePc({ ramBytes: 4 * 1024 * 1024 + 1 })).rejects.toThrow('not a multiple of 4 KiB');
  });

  it('reads all ones from unassigned ports and the VGA hole', async () => {
    const pc = await makePc();
    expect(pc.machine.ports.read(0x1234, 1)).toBe(0xff);
    expect(pc.machine.memory.read(0xb8000, 4)).toBe(0xffffffff);
  });
});
