import { describe, expect, it } from 'vitest';
import { IoPortBus } from '../src/io/io-port-bus.js';

describe('port-I/O bus', () => {
  it('dispatches to the owner with the absolute port and masks values to the access size', () => {
    const bus = new IoPortBus();
    const seen: string[] = [];
    bus.register('uart', 0x3f8, 8, {
      read: (p, s) => {
        seen.push(`r${p.toString(16)}/${s}`);
        return 0x1ff;
      },
      write: (p, s, v) => seen.push(`w${p.toString(16)}/${s}=${v.toString(16)}`),
    });
    expect(bus.read(0x3fd, 1)).toBe(0xff);
    bus.write(0x3f8, 1, 0x141);
    expect(seen).toEqual(['r3fd/1', 'w3f8/1=41']);
    expect(bus.ownerOf(0x3ff)).toBe('uart');
    expect(bus.ownerOf(0x400)).toBeUndefined();
  });

  it('refuses overlapping and out-of-range registrations', () => {
    const bus = new IoPortBus();
    bus.register('pic', 0x20, 2, {});
    expect(() => bus.register('other', 0x21, 4, {})).toThrow(
      "ports for 'other' [0x21, 0x25) overlap 'pic' at port 0x21",
    );
    expect(() => bus.register('wide', 0xfffe, 4, {})).toThrow(
      "ports for 'wide': range 65534+4 is outside 0..0xffff",
    );
  });

  it('reads all ones from unassigned ports, drops writes, and reports both to an observer', () => {
    const bus = new IoPortBus();
    const seen: string[] = [];
    bus.observeUnassigned((a, p, s, v) =>
      seen.push(`${a} ${p.toString(16)}/${s}${v === undefined ? '' : `=${v}`}`),
    );
    expect(bus.read(0x80, 1)).toBe(0xff);
    expect(bus.read(0x80, 2)).toBe(0xffff);
    expect(bus.read(0x80, 4)).toBe(0xffffffff);
    bus.write(0x80, 1, 0x1234);
    expect(seen).toEqual(['read 80/1', 'read 80/2', 'read 80/4', 'write 80/1=52']);
  });

  it('treats a write-only device as unassigned for reads', () => {
    const bus = new IoPortBus();
    bus.register('exit', 0xf4, 4, { write: () => {} });
    expect(bus.read(0xf4, 1)).toBe(0xff);
  });
});
