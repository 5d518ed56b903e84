import { Gpr } from '@tsvm/arch-x86';
import { describe, expect, it } from 'vitest';
import { MULTIBOOT_BOOTLOADER_MAGIC, planImage } from '../src/index.js';
import { fakeBzImage } from './bzimage.js';
import { makePc } from './helpers.js';
import { aoutKernel, elfKernel } from './images.js';

describe('planImage: one entry for every firmware-less image', () => {
  it('plans a Multiboot kernel with its command line', async () => {
    const pc = await makePc();
    const { kind, plan } = planImage(aoutKernel(), pc.machine.memory, pc.layout, { cmdline: 'a=1' });
    expect(kind).toBe('multiboot');
    expect(plan.cmdline).toBe('a=1');
    pc.setBoot(plan);
    expect(pc.machine.vcpus[0].state.eip).toBe(0x100020);
    expect(pc.machine.vcpus[0].state.gprLow[Gpr.RAX] >>> 0).toBe(MULTIBOOT_BOOTLOADER_MAGIC);
  });

  it('plans a Linux bzImage with its initrd, entering 64-bit kernels in long mode only when asked', async () => {
    const pc = await makePc({ ramBytes: 64 * 1024 * 1024 });
    const initrd = new Uint8Array(100).fill(7);
    const opts = { cmdline: 'console=ttyS0', initrd, acpi: pc.acpi };
    const { kind, plan } = planImage(fakeBzImage({ kernel64: true }), pc.machine.memory, pc.layout, opts);
    expect(kind).toBe('bzimage');
    expect(plan.format).toContain('32-bit entry');
    const long = planImage(fakeBzImage({ kernel64: true }), pc.machine.memory, pc.layout, {
      ...opts,
      longMode: true,
    });
    expect(long.plan.format).toContain('64-bit entry');
    const i386 = planImage(fakeBzImage(), pc.machine.memory, pc.layout, { ...opts, longMode: true });
    expect(i386.plan.format).toContain('32-bit entry');
    pc.setBoot(plan);
    expect(pc.machine.vcpus[0].state.eip).toBe(0x1000000);
  });

  it('plans anything else as a flat binary, at the address and mode asked for', async () => {
    const pc = await makePc();
    const { kind, plan } = planImage(new Uint8Array([0xf4]), pc.machine.memory, pc.layout, {
      loadAddress: 0x8000,
      entryMode: 'protected',
    });
    expect(kind).toBe('flat');
    pc.setBoot(plan);
    expect(pc.machine.vcpus[0].state.eip).toBe(0x8000);
    expect(pc.machine.vcpus[0].state.cr0 & 1).toBe(1);
  });

  it('refuses a plain ELF rather than copying it as raw bytes', async () => {
    const pc = await makePc();
    const plainElf = elfKernel();
    plainElf.fill(0, 0x80, 0x8c);
    expect(() => planImage(plainElf, pc.machine.memory, pc.layout)).toThrow(
      'image: an ELF file without a Multiboot header (tsvm boots Multiboot kernels and flat binaries) (at offset 0x0)',
    );
  });
});
