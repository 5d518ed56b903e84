import { Gpr } from '@tsvm/arch-x86';
import { describe, expect, it } from 'vitest';
import { LoaderError, MULTIBOOT_BOOTLOADER_MAGIC, planMultiboot } from '../src/index.js';
import { makePc } from './helpers.js';
import { aoutKernel, elfKernel } from './images.js';

const MB = 0x100000;

/** 40 bytes: ELF magic, then a Multiboot header (ELF flavour) at offset 4, then nothing. */
function truncatedElfHeader(): Uint8Array {
  const image = new Uint8Array(40);
  const v = new DataView(image.buffer);
  image.set([0x7f, 0x45, 0x4c, 0x46]);
  v.setUint32(4, 0x1badb002, true);
  v.setUint32(8, 3, true);
  v.setUint32(12, -(0x1badb002 + 3) >>> 0, true);
  return image;
}

describe('Multiboot loader', () => {
  it('loads an a.out-kludge kernel, zeroes its BSS and enters 32-bit protected mode with EAX/EBX', async () => {
    const pc = await makePc();
    const mem = pc.machine.memory;
    mem.write(MB + 64, 4, 0xdeadbeef); // dirt where the BSS goes
    pc.setBoot(planMultiboot(aoutKernel(), mem, pc.layout, { cmdline: 'hello world' }));
    const s = pc.machine.vcpus[0].state;
    expect(s.gprLow[Gpr.RAX] >>> 0).toBe(MULTIBOOT_BOOTLOADER_MAGIC);
    expect(s.eip).toBe(MB + 32);
    expect(s.cr0 & 1).toBe(1);
    expect(s.cs.db && s.cs.g && s.cs.limit === 0xffffffff).toBe(true);
    expect(s.rflags & 0x200).toBe(0);
    expect(mem.read(MB, 4)).toBe(0x1badb002);
    expect(mem.read(MB + 64, 4)).toBe(0);
  });

  it('writes a complete info block: memory, memory map, command line, modules, loader name', async () => {
    const pc = await makePc({ ramBytes: 16 * 1024 * 1024 });
    const mem = pc.machine.memory;
    const modules = [
      { data: new Uint8Array([1, 2, 3, 4]), string: 'mod0 arg' },
      { data: new Uint8Array(5000).fill(7), string: 'second' },
    ];
    pc.setBoot(planMultiboot(elfKernel(), mem, pc.layout, { cmdline: 'root=/dev/x', modules }));
    const info = pc.machine.vcpus[0].state.gprLow[Gpr.RBX] >>> 0;
    const cstr = (addr: number) => {
      let s = '';
      for (let c = mem.read(addr, 1); c !== 0; c = mem.read(++addr, 1)) s += String.fromCharCode(c);
      return s;
    };
    const flags = mem.read(info, 4);
    expect(flags & 0x24d).toBe(0x24d); // mem, cmdline, mods, mmap, loader name
    expect(mem.read(info + 4, 4)).toBe(640);
    expect(mem.read(info + 8, 4)).toBe(15 * 1024);
    expect(cstr(mem.read(info + 16, 4))).toBe('root=/dev/x');
    expect(mem.read(info + 20, 4)).toBe(2);
    const mods = mem.read(info + 24, 4);
    const m0start = mem.read(mods, 4);
    expect(m0start % 4096).toBe(0);
    expect(m0start).toBeGreaterThanOrEqual(MB + 0x2000);
    expect(mem.read(mods + 4, 4) - m0start).toBe(4);
    expect(mem.read(m0start, 4)).toBe(0x04030201);
    expect(cstr(mem.read(mods + 8, 4))).toBe('mod0 arg');
    const m1start = mem.read(mods + 16, 4);
    expect(m1start % 4096).toBe(0);
    expect(mem.read(mods + 20, 4) - m1start).toBe(5000);
    expect(cstr(mem.read(mods + 24, 4))).toBe('second');
    const mmapLength = mem.read(info + 44, 4);
    const mmap = mem.read(info + 48, 4);
    const entries: [number, number, number][] = [];
    for (let at = mmap; at < mmap + mmapLength; at += mem.read(at, 4) + 4) {
      entries.push([mem.read(at + 4, 4), mem.read(at + 12, 4), mem.read(at + 20, 4)]);
    }
    expect(entries).toContainEqual([0, 0xa0000, 1]);
    expect(entries).toContainEqual([MB, 15 * MB, 1]);
    expect(cstr(mem.read(info + 64, 4))).toBe('tsvm');
  });

  it('translates a virtual ELF entry point through its segment', async () => {
    const pc = await makePc();
    pc.setBoot(
      planMultiboot(elfKernel({ vaddr: 0xc0100000, entry: 0xc0100010 }), pc.machine.memory, pc.layout),
    );
    expect(pc.machine.vcpus[0].state.eip).toBe(MB + 0x10);
  });

  it('re-applies the boot plan at reset: the kernel is reloaded and the CPU is back at its entry', async () => {
    const pc = await makePc();
    const mem = pc.machine.memory;
    pc.setBoot(planMultiboot(aoutKernel(), mem, pc.layout));
    const s = pc.machine.vcpus[0].state;
    mem.write(MB + 40, 4, 0x12345678); // the guest scribbles over its own code
    s.eip = 0x1234;
    pc.machine.reset();
    expect(s.eip).toBe(MB + 32);
    expect(mem.read(MB + 40, 4)).toBe(0x90909090);
  });

  const refusals: [string, () => Uint8Array, string, number | undefined][] = [
    ['no header', () => new Uint8Array(9000), 'no Multiboot header', 0],
    ['bad checksum', () => aoutKernel({ checksum: 1 }), 'header checksum 0x1', 8],
    [
      'unsupported required flag',
      () => aoutKernel({ flags: 0x00010010, checksum: -(0x1badb002 + 0x00010010) >>> 0 }),
      'unsupported features (flags 0x10)',
      4,
    ],
    ['truncated a.out header', () => aoutKernel().subarray(0, 20), 'a.out kludge header is truncated', 0],
    [
      'a.out load_end past the file',
      () => aoutKernel({ fields: [MB, MB, MB + 4096, 0, MB + 32] }),
      'image is truncated',
      20,
    ],
    [
      'a.out entry outside the image',
      () => aoutKernel({ fields: [MB, MB, MB + 64, 0, MB + 4096] }),
      'entry_addr 0x101000 is outside',
      28,
    ],
    [
      'a.out outside RAM',
      () => aoutKernel({ fields: [0x40000000, 0x40000000, 0, 0, 0x40000020] }),
      'a.out image [0x40000000, 0x40000040) is outside RAM',
      16,
    ],
    [
      'a.out on the VGA hole',
      () => aoutKernel({ fields: [0xb8000, 0xb8000, 0, 0, 0xb8020] }),
      'is outside RAM at 0xb8000',
      16,
    ],
    [
      'no ELF magic and no a.out kludge',
      () => aoutKernel({ flags: 0x3, checksum: -(0x1badb002 + 3) >>> 0 }),
      'not an ELF file (bad magic)',
      0,
    ],
    ['truncated ELF header', truncatedElfHeader, 'ELF header is truncated (40 of 52 bytes)', 40],
    ['ELF64', () => elfKernel({ cls: 2 }), 'ELF64 images are not Multiboot v1 kernels', 4],
    ['ELF for another machine', () => elfKernel({ machine: 62 }), 'ELF machine 62 is not i386', 18],
    ['truncated ELF segment', () => elfKernel({ truncateTo: 0xa0 }), 'run past the end of the file', 56],
    ['truncated program header table', () => elfKernel({ phnum: 40 }), 'program header table', 28],
    ['absurd program header count', () => elfKernel({ phnum: 5000 }), '5000 program headers', 44],
    ['filesz above memsz', () => elfKernel({ memsz: 0x10 }), 'p_filesz 0x40 exceeds p_memsz 0x10', 68],
    [
      'ELF segment on the APIC page',
      () => elfKernel({ paddr: 0xfee00000 }),
      "overlaps device 'local-apic'",
      52,
    ],
    ['ELF segment past 4 GiB', () => elfKernel({ paddr: 0xfffff000, memsz: 0x2000 }), 'wraps past 4 GiB', 64],
    ['ELF segment beyond RAM', () => elfKernel({ paddr: 0x3000000 }), 'is outside RAM', 52],
  ];

  it.each(refusals)(
    'refuses %s, naming the problem and offset, loading nothing',
    async (_name, make, message, offset) => {
      const pc = await makePc();
      const mem = pc.machine.memory;
      const before = mem.readBytes(MB, 0x3000);
      const eip = pc.machine.vcpus[0].state.eip;
      let error: unknown;
      try {
        pc.setBoot(planMultiboot(make(), mem, pc.layout));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(LoaderError);
      expect((error as LoaderError).message).toContain(message);
      expect((error as LoaderError).offset).toBe(offset);
      if (offset !== undefined)
        expect((error as LoaderError).message).toContain(`offset 0x${offset.toString(16)}`);
      expect(mem.readBytes(MB, 0x3000)).toEqual(before);
      expect(pc.machine.vcpus[0].state.eip).toBe(eip);
      expect(pc.boot).toBeUndefined();
    },
  );

  it('refuses modules that do not fit in RAM, loading none of the kernel', async () => {
    const pc = await makePc({ ramBytes: 2 * 1024 * 1024 });
    const mem = pc.machine.memory;
    const big = { data: new Uint8Array(2 * 1024 * 1024), string: 'big' };
    expect(() => planMultiboot(aoutKernel(), mem, pc.layout, { modules: [big] })).toThrow(
      /module 0 \('big'\) needs guest memory up to 0x[0-9a-f]+, RAM ends at 0x200000/,
    );
    expect(mem.read(MB, 4)).toBe(0);
  });
});

describe('Multiboot loader: large BSS', () => {
  it('clears a BSS that covers most of RAM without allocating a buffer for it', async () => {
    const pc = await makePc({ ramBytes: 64 * 1024 * 1024 });
    const mem = pc.machine.memory;
    mem.write(MB + 40 * 1024 * 1024, 4, 0xdeadbeef);
    const big = aoutKernel({ fields: [MB, MB, MB + 64, MB + 48 * 1024 * 1024, MB + 32] });
    pc.setBoot(planMultiboot(big, mem, pc.layout));
    expect(mem.read(MB + 40 * 1024 * 1024, 4)).toBe(0);
    expect(mem.read(MB, 4)).toBe(0x1badb002);
  });
});
