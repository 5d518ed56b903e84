import { describe, expect, it } from 'vitest';
import { GuestMemory, MemoryMapError } from '../src/memory/guest-memory.js';

describe('guest memory map', () => {
  it('refuses overlapping regions, naming both', () => {
    const m = new GuestMemory();
    m.addRam('low', 0, 0xa0000);
    expect(() => m.addRom('bios', 0x9f000, 0x2000)).toThrow(
      "region 'bios' [0x9f000, 0xa1000) overlaps ram 'low' [0x0, 0xa0000)",
    );
    expect(() => m.addMmio('vga', 0x9fff0, 0x20, { read: () => 0, write: () => {} })).toThrow(MemoryMapError);
    m.addMmio('vga', 0xa0000, 0x20000, { read: () => 0, write: () => {} }); // adjacent is fine
  });

  it('refuses unaligned RAM, negative or absurd addresses', () => {
    const m = new GuestMemory();
    expect(() => m.addRam('odd', 0x100, 0x1000)).toThrow(
      "region 'odd': base 0x100 and size 0x1000 must be multiples of 4096",
    );
    expect(() => m.addRam('neg', -4096, 4096)).toThrow(
      "region 'neg': base -4096 and size 4096 must be non-negative integers",
    );
    expect(() => m.addRam('zero', 0, 0)).toThrow(/must be non-negative integers/);
    expect(() => m.addRam('huge', 2 ** 52, 4096)).toThrow(
      "region 'huge' ends beyond the 52-bit physical address space",
    );
  });

  it('reads all ones from unassigned addresses and drops writes there', () => {
    const m = new GuestMemory();
    m.addRam('ram', 0, 0x1000);
    expect(m.read(0x5000, 1)).toBe(0xff);
    expect(m.read(0x5000, 2)).toBe(0xffff);
    expect(m.read(0x5000, 4)).toBe(0xffffffff);
    m.write(0x5000, 4, 0x12345678); // dropped, no throw
    expect(m.read(0x5000, 4)).toBe(0xffffffff);
  });

  it('reads and writes little-endian, including across a region boundary', () => {
    const m = new GuestMemory();
    m.addRam('a', 0, 0x1000);
    m.addRam('b', 0x1000, 0x1000);
    m.write(0xffe, 4, 0xa1b2c3d4);
    expect(m.read(0xffe, 4)).toBe(0xa1b2c3d4);
    expect(m.read(0x1000, 2)).toBe(0xa1b2);
  });

  it('keeps ROM read-only to the guest but loadable by firmware', () => {
    const m = new GuestMemory();
    const rom = m.addRom('rom', 0xf0000, 0x10000);
    m.load(0xffff0, new Uint8Array([0xea, 0x5b, 0xe0]));
    m.write(0xffff0, 1, 0x90);
    expect(m.read(0xffff0, 1)).toBe(0xea);
    expect(rom.bytes![0xfff0]).toBe(0xea);
  });

  it('aliases share bytes with their target', () => {
    const m = new GuestMemory();
    const ram = m.addRam('ram', 0, 0x10000);
    m.addAlias('mirror', 0x100000, ram, 0x4000, 0x2000);
    ram.bytes![0x4010] = 0x77;
    expect(m.read(0x100010, 1)).toBe(0x77);
    expect(() => m.addAlias('bad', 0x200000, ram, 0xf000, 0x2000)).toThrow(
      "alias 'bad': offset 0xf000 size 0x2000 does not fit in ram 'ram' [0x0, 0x10000)",
    );
  });

  it('dispatches MMIO with window-relative offsets', () => {
    const m = new GuestMemory();
    const seen: string[] = [];
    m.addMmio('dev', 0xfee00000, 0x1000, {
      read: (o, s) => {
        seen.push(`r${o.toString(16)}/${s}`);
        return 0x1234;
      },
      write: (o, s, v) => seen.push(`w${o.toString(16)}/${s}=${v.toString(16)}`),
    });
    expect(m.read(0xfee00020, 4)).toBe(0x1234);
    m.write(0xfee000b0, 4, 0);
    expect(seen).toEqual(['r20/4', 'wb0/4=0']);
  });

  it('load() writes nothing when any byte is outside RAM/ROM', () => {
    const m = new GuestMemory();
    const ram = m.addRam('ram', 0, 0x1000);
    expect(() => m.load(0xff0, new Uint8Array(32).fill(1))).toThrow(
      '[0xff0, 0x1010) is not RAM or ROM at 0x1000',
    );
    expect(ram.bytes!.every((b) => b === 0)).toBe(true);
  });

  it('tells listeners about regions added before and after they listen', () => {
    const m = new GuestMemory();
    m.addRam('a', 0, 0x1000);
    const added: string[] = [];
    const removed: string[] = [];
    m.listen({ added: (r) => added.push(r.name), removed: (r) => removed.push(r.name) });
    const b = m.addRam('b', 0x1000, 0x1000);
    m.remove(b);
    expect(added).toEqual(['a', 'b']);
    expect(removed).toEqual(['b']);
    expect(() => m.remove(b)).toThrow("ram 'b' [0x1000, 0x2000) is not in the memory map");
  });

  it('uses the accelerator-supplied allocator for RAM and ROM', () => {
    const supplied: string[] = [];
    const m = new GuestMemory((bytes, name) => {
      supplied.push(`${name}:${bytes}`);
      return new Uint8Array(bytes);
    });
    m.addRam('ram', 0, 0x2000);
    m.addRom('rom', 0x10000, 0x1000);
    expect(supplied).toEqual(['ram:8192', 'rom:4096']);
  });
});
