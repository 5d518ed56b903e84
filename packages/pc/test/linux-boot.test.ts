import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Cr0, Cr4, Efer, Gpr } from '@tsvm/arch-x86';
import { describe, expect, it } from 'vitest';
import {
  detectImage,
  LinuxBootLayout,
  LoaderError,
  parseBzImageHeader,
  planLinuxBoot,
} from '../src/index.js';
import { fakeBzImage } from './bzimage.js';
import { makePc } from './helpers.js';

const MiB = 1024 * 1024;
const zp = LinuxBootLayout.zeroPage;

describe('Linux boot protocol loader', () => {
  it('recognises a bzImage by its setup header', () => {
    expect(detectImage(fakeBzImage())).toBe('bzimage');
    const h = parseBzImageHeader(fakeBzImage({ setupSects: 0 }));
    expect(h.kernelOffset).toBe(5 * 512); // setup_sects 0 means 4
    expect(h.protocol).toBe(0x20f);
    expect(h.headerEnd).toBe(0x26c);
  });

  it('loads the kernel at pref_address, the initrd high, and fills the zero page', async () => {
    const pc = await makePc({ ramBytes: 64 * MiB });
    const image = fakeBzImage();
    const initrd = new Uint8Array(10_000).fill(0xab);
    pc.setBoot(
      planLinuxBoot(image, pc.machine.memory, pc.layout, {
        cmdline: 'console=ttyS0 quiet',
        initrd,
        acpi: pc.acpi,
      }),
    );
    const mem = pc.machine.memory;
    expect(mem.read(0x1000000, 4)).toBe(new DataView(image.buffer).getUint32(5 * 512, true));
    expect(mem.read(zp + 0x202, 4)).toBe(0x53726448); // the header is copied
    expect(mem.read(zp + 0x210, 1)).toBe(0xff); // type_of_loader
    expect(mem.read(zp + 0x211, 1) & 0x81).toBe(0x81); // LOADED_HIGH | CAN_USE_HEAP
    expect(mem.read(zp + 0x224, 2)).toBe(0xde00); // heap_end_ptr
    const cmdPtr = mem.read(zp + 0x228, 4);
    const cmd = [...Array(20)].map((_, i) => mem.read(cmdPtr + i, 1));
    expect(String.fromCharCode(...cmd.slice(0, 19))).toBe('console=ttyS0 quiet');
    expect(cmd[19]).toBe(0);
    const ramdisk = mem.read(zp + 0x218, 4);
    expect(mem.read(zp + 0x21c, 4)).toBe(10_000);
    expect(ramdisk % 4096).toBe(0);
    expect(ramdisk + 10_000).toBeLessThanOrEqual(64 * MiB);
    expect(ramdisk).toBeGreaterThan(64 * MiB - 16384);
    expect(mem.read(ramdisk + 9_999, 1)).toBe(0xab);
    // e820 from the board's memory map, the RSDP address for the kernel.
    const map = pc.layout.memoryMap();
    expect(mem.read(zp + 0x1e8, 1)).toBe(map.length);
    map.forEach((e, i) => {
      const at = zp + 0x2d0 + i * 20;
      expect([mem.read(at, 4), mem.read(at + 8, 4), mem.read(at + 16, 4)]).toEqual([
        e.base,
        e.length,
        e.type,
      ]);
    });
    expect(mem.read(zp + 0x70, 4)).toBe(pc.acpi.rsdpAddress);
    // The 32-bit boot protocol's machine state.
    const s = pc.machine.vcpus[0].state;
    expect(s.eip).toBe(0x1000000);
    expect(s.gprLow[Gpr.RSI]).toBe(zp);
    expect([s.gprLow[Gpr.RBX], s.gprLow[Gpr.RBP], s.gprLow[Gpr.RDI]]).toEqual([0, 0, 0]);
    expect([s.cs.selector, s.ds.selector, s.es.selector, s.ss.selector]).toEqual([0x10, 0x18, 0x18, 0x18]);
    expect(s.cs.db && s.cs.limit === 0xffffffff && s.cs.base === 0).toBe(true);
    expect(s.cr0 & (Cr0.PE | Cr0.PG)).toBe(Cr0.PE);
    expect(s.rflags & 0x200).toBe(0);
    // The GDT holds what the segment registers claim.
    expect(mem.read(s.gdt.base + 0x10 + 5, 1)).toBe(0x9a);
    expect(mem.read(s.gdt.base + 0x18 + 5, 1)).toBe(0x92);
  });

  it('enters a 64-bit kernel at startup_64 in long mode with identity-mapped page tables', async () => {
    const pc = await makePc({ ramBytes: 64 * MiB });
    pc.setBoot(planLinuxBoot(fakeBzImage({ kernel64: true }), pc.machine.memory, pc.layout, { entry: '64' }));
    const s = pc.machine.vcpus[0].state;
    const mem = pc.machine.memory;
    expect(s.eip).toBe(0x1000200);
    expect(s.gprLow[Gpr.RSI]).toBe(zp);
    expect(s.cs.l).toBe(true);
    expect(s.cs.db).toBe(false);
    expect(s.efer & (Efer.LME | Efer.LMA)).toBe(Efer.LME | Efer.LMA);
    expect(s.cr4 & Cr4.PAE).toBe(Cr4.PAE);
    expect(s.cr0 >>> 31).toBe(1); // PG
    // Walk the tables for 0xC0300000 (GiB 3, 2 MiB page 1).
    const pml4e = mem.read(s.cr3, 4);
    const pdpte = mem.read((pml4e & ~0xfff) + 3 * 8, 4);
    const pde = mem.read((pdpte & ~0xfff) + 1 * 8, 4);
    expect(pde >>> 0).toBe((0xc0200000 | 0x83) >>> 0);
    expect(() => planLinuxBoot(fakeBzImage(), pc.machine.memory, pc.layout, { entry: '64' })).toThrow(
      'the 64-bit entry needs a 64-bit kernel',
    );
  });

  const refusals: [string, Parameters<typeof fakeBzImage>[0] | Uint8Array, object, string][] = [
    [
      'a file that is not a bzImage',
      new Uint8Array(4096).fill(0x90),
      {},
      "not a Linux bzImage: no 'HdrS' setup header signature",
    ],
    ['a too-old protocol', { protocol: 0x205 }, {}, 'boot protocol 2.05 is older than 2.06'],
    ['a zImage', { loadedHigh: false }, {}, 'a zImage (loaded below 1 MiB) is not supported'],
    [
      'a kernel that does not fit the RAM',
      { initSize: 60 * MiB },
      {},
      'kernel needs RAM from 0x1000000 to 0x4c00000 (init_size 60.0 MiB), but RAM ends at 0x2000000',
    ],
    [
      'a non-relocatable kernel that does not fit the RAM',
      { relocatable: false, prefAddress: 0x100000, initSize: 40 * MiB },
      {},
      '(the kernel is not relocatable), but RAM ends at 0x2000000',
    ],
    [
      'an initrd that does not fit the RAM',
      {},
      { initrd: new Uint8Array(16 * MiB) },
      'initrd of 16777216 bytes (16.0 MiB) does not fit between the kernel',
    ],
    [
      'an initrd above initrd_addr_max',
      { initrdAddrMax: 0x10fffff },
      { initrd: new Uint8Array(MiB) },
      'and 0x1100000 (initrd_addr_max)',
    ],
    [
      'a command line longer than cmdline_size',
      { cmdlineSize: 16 },
      { cmdline: 'console=ttyS0 loglevel=8' },
      "command line of 24 bytes is longer than the kernel's cmdline_size of 16",
    ],
  ];
  it.each(refusals)(
    'refuses %s with a clear message and loads nothing',
    async (_what, spec, options, message) => {
      const pc = await makePc({ ramBytes: 32 * MiB });
      const image = spec instanceof Uint8Array ? spec : fakeBzImage(spec);
      const mem = pc.machine.memory;
      const attempt = () => planLinuxBoot(image, mem, pc.layout, { ...options, acpi: pc.acpi });
      expect(attempt).toThrow(LoaderError);
      expect(attempt).toThrow(message);
      expect(pc.boot).toBeUndefined();
      for (const a of [zp, zp + 0x202, LinuxBootLayout.cmdline, 0x1000000, 0xe0000])
        expect(mem.read(a, 4)).toBe(0);
    },
  );

  const debianKernel = join(
    process.env.XDG_CACHE_HOME || join(homedir(), '.cache'),
    'tsvm',
    'linux-686',
    'vmlinuz',
  );
  const haveDebian = existsSync(debianKernel);
  if (!haveDebian)
    console.log(`skipping the Debian kernel header check: ${debianKernel} not fetched (tsvm fetch-linux)`);
  it.skipIf(!haveDebian)("reads Debian's 686 kernel header", () => {
    const h = parseBzImageHeader(readFileSync(debianKernel));
    expect(h.protocol).toBeGreaterThanOrEqual(0x20f);
    expect(h.relocatable).toBe(true);
    expect(h.kernel64).toBe(false);
    expect(h.cmdlineSize).toBe(2047);
    expect(h.loadAddress).toBe(0x1000000);
  });
});
