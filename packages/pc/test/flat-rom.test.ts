import { describe, expect, it } from 'vitest';
import { detectImage, type LoaderError, mapRom, planFlatBinary } from '../src/index.js';
import { makePc } from './helpers.js';
import { aoutKernel, elfKernel } from './images.js';

describe('flat binary loader', () => {
  it('loads at 0x7c00 and starts in real mode there by default', async () => {
    const pc = await makePc();
    pc.setBoot(planFlatBinary(new Uint8Array([0xf4, 0x90]), pc.machine.memory));
    const s = pc.machine.vcpus[0].state;
    expect(pc.machine.memory.read(0x7c00, 2)).toBe(0x90f4);
    expect(s.cs.selector).toBe(0);
    expect(s.cs.base).toBe(0);
    expect(s.eip).toBe(0x7c00);
    expect(s.cr0 & 1).toBe(0);
  });

  it('reaches entries above 64 KiB through CS in real mode, and starts flat protected mode on request', async () => {
    const pc = await makePc();
    pc.setBoot(planFlatBinary(new Uint8Array([0xf4]), pc.machine.memory, { address: 0x12345 }));
    const s = pc.machine.vcpus[0].state;
    expect(s.cs.base + s.eip).toBe(0x12345);
    const pc2 = await makePc();
    pc2.setBoot(
      planFlatBinary(new Uint8Array([0xf4]), pc2.machine.memory, { address: 0x200000, mode: 'protected' }),
    );
    const s2 = pc2.machine.vcpus[0].state;
    expect(s2.eip).toBe(0x200000);
    expect(s2.cr0 & 1).toBe(1);
    expect(pc2.machine.memory.read(s2.gdt.base + 8, 4)).toBe(0x0000ffff);
  });

  it.each([
    [new Uint8Array(0), {}, 'image is empty'],
    [new Uint8Array(16), { address: 0xa0000 }, 'image [0xa0000, 0xa0010) is outside RAM'],
    [new Uint8Array(16), { address: 0x9fff8 }, 'is outside RAM at 0xa0000'],
    [new Uint8Array(16), { address: 0x100000, entry: 0x100000 }, 'not reachable in real mode'],
  ] as const)('refuses bad input: %#', async (image, options, message) => {
    const pc = await makePc();
    expect(() => planFlatBinary(image, pc.machine.memory, options)).toThrow(message);
  });
});

describe('ROM loader', () => {
  it('maps the ROM to end at 4 GiB with its last 128 KiB mirrored below 1 MiB', async () => {
    const pc = await makePc();
    const image = new Uint8Array(256 * 1024);
    image[image.length - 16] = 0xea; // far jump at the reset vector
    image[image.length - 128 * 1024] = 0x5a;
    image[0] = 0x11;
    mapRom(pc.machine.memory, image);
    const mem = pc.machine.memory;
    expect(mem.read(0xfffffff0, 1)).toBe(0xea);
    expect(mem.read(0xffffffff - 256 * 1024 + 1, 1)).toBe(0x11);
    expect(mem.read(0xffff0, 1)).toBe(0xea);
    expect(mem.read(0xe0000, 1)).toBe(0x5a);
    // Read-only to the guest.
    mem.write(0xffff0, 1, 0);
    expect(mem.read(0xfffffff0, 1)).toBe(0xea);
    // The CPU's reset state already points at it.
    const s = pc.machine.vcpus[0].state;
    expect(s.cs.base + s.eip).toBe(0xfffffff0);
  });

  it('replaces the BIOS shadow RAM under its mirror, keeping the option-ROM part below as RAM', async () => {
    const pc = await makePc();
    const mem = pc.machine.memory;
    mem.write(0xf0000, 1, 0x77); // shadow RAM is writable before a ROM is mapped
    expect(mem.read(0xf0000, 1)).toBe(0x77);
    mapRom(mem, new Uint8Array(64 * 1024).fill(0xcc));
    expect(mem.find(0xf0000)?.kind).not.toBe('ram');
    expect(mem.read(0xf0000, 1)).toBe(0xcc);
    expect(mem.find(0xc0000)?.kind).toBe('ram');
    expect(mem.find(0xeffff)?.kind).toBe('ram');
  });

  it('pads a small ROM at the front so its last byte is at 0xFFFFFFFF', async () => {
    const pc = await makePc();
    const image = new Uint8Array(16).fill(0xcc);
    mapRom(pc.machine.memory, image);
    expect(pc.machine.memory.read(0xfffffff0, 4)).toBe(0xcccccccc);
    expect(pc.machine.memory.read(0xffffefff + 1, 1)).toBe(0xff);
    expect(pc.machine.memory.read(0xffff0, 1)).toBe(0xcc);
  });

  it.each([
    [new Uint8Array(8), 'cannot hold the 16-byte reset vector', 8],
    [new Uint8Array(17 * 1024 * 1024), 'exceeds the 16777216-byte limit', undefined],
  ] as const)('refuses bad ROM images: %#', async (image, message, offset) => {
    const pc = await makePc();
    const regions = pc.machine.memory.regions.length;
    let error: LoaderError | undefined;
    try {
      mapRom(pc.machine.memory, image);
    } catch (e) {
      error = e as LoaderError;
    }
    expect(error?.message).toContain(message);
    expect(error?.offset).toBe(offset);
    expect(pc.machine.memory.regions.length).toBe(regions);
  });

  it('refuses to map a second ROM over the first', async () => {
    const pc = await makePc();
    mapRom(pc.machine.memory, new Uint8Array(4096));
    expect(() => mapRom(pc.machine.memory, new Uint8Array(4096))).toThrow(
      "ROM [0xfffff000, 0x100000000) overlaps 'rom'",
    );
  });
});

describe('image detection', () => {
  it('tells Multiboot, plain ELF and flat images apart', () => {
    expect(detectImage(aoutKernel())).toBe('multiboot');
    expect(detectImage(elfKernel())).toBe('multiboot');
    const plainElf = elfKernel();
    plainElf.fill(0, 0x80, 0x8c);
    expect(detectImage(plainElf)).toBe('elf');
    expect(detectImage(new Uint8Array([0xeb, 0xfe]))).toBe('flat');
  });
});
