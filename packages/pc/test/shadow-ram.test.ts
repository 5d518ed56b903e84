import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mapRom, planMultiboot, SHADOW_RAM_START } from '../src/index.js';
import { makePc } from './helpers.js';

// Issue 10 §3: 0xC0000-0xFFFFF is shadow RAM on a PC. A Multiboot ELF linked with
// `ld -m elf_i386 -Ttext=0x100000` has a PT_LOAD of its headers at 0xFF000 that must load there.
const MBELF = readFileSync(new URL('../guests/mbelf/mbelf.elf', import.meta.url));

describe('shadow RAM below 1 MiB', () => {
  it('is writable RAM from 0xC0000 to 1 MiB, and the VGA window below it is not', async () => {
    const pc = await makePc();
    const mem = pc.machine.memory;
    expect(SHADOW_RAM_START).toBe(0xc0000);
    for (const a of [0xc0000, 0xe0000, 0xffffc]) {
      mem.write(a, 4, 0x12345678);
      expect(mem.read(a, 4)).toBe(0x12345678);
    }
    mem.write(0xb8000, 4, 0x12345678);
    expect(mem.read(0xb8000, 4)).toBe(0xffffffff);
  });

  it('is reserved in the memory map the Multiboot mmap (and E820) are made from', async () => {
    const pc = await makePc();
    const reservedCover = (a: number) =>
      pc.layout.memoryMap().some((e) => e.type === 2 && e.base <= a && a < e.base + e.length);
    const usableCover = (a: number) =>
      pc.layout.memoryMap().some((e) => e.type === 1 && e.base <= a && a < e.base + e.length);
    for (const a of [0xc0000, 0xf0000, 0xfffff]) {
      expect(reservedCover(a)).toBe(true);
      expect(usableCover(a)).toBe(false);
    }
  });

  it('gives way to a ROM mirror, keeping its part below the mirror', async () => {
    const pc = await makePc();
    const mem = pc.machine.memory;
    mem.write(0xc0000, 4, 0xcafef00d);
    const image = new Uint8Array(64 * 1024).fill(0xab);
    mapRom(mem, image);
    // The last 64 KiB of the ROM show at 0xF0000; the shadow RAM below it stays RAM.
    expect(mem.read(0xf0000, 1)).toBe(0xab);
    mem.write(0xf0000, 1, 0);
    expect(mem.read(0xf0000, 1)).toBe(0xab);
    expect(mem.read(0xc0000, 4)).toBe(0xcafef00d);
    mem.write(0xeffff, 1, 0x5a);
    expect(mem.read(0xeffff, 1)).toBe(0x5a);
    expect(mem.find(0xeffff)?.kind).toBe('ram');
  });

  it('takes the ELF-header segment of a kernel linked with ld -Ttext=0x100000 (guests/mbelf)', async () => {
    const pc = await makePc();
    const mem = pc.machine.memory;
    const plan = planMultiboot(MBELF, mem, pc.layout);
    expect(plan.segments.map((s) => s.address)).toContain(0xff000);
    pc.setBoot(plan);
    expect(mem.read(0xff000, 4)).toBe(0x464c457f); // \x7fELF
    expect(pc.machine.vcpus[0].state.eip).toBe(0x10000c);
  });
});
