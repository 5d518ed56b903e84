import type { IoPortBus } from '@tsvm/core';
import { describe, expect, it } from 'vitest';
import { FwCfgKey, planMultiboot } from '../src/index.js';
import { makePc, roundTrip } from './helpers.js';
import { aoutKernel } from './images.js';

function readItem(ports: IoPortBus, key: number, length: number): number[] {
  ports.write(0x510, 2, key);
  return Array.from({ length }, () => ports.read(0x511, 1));
}
const le = (b: number[]) => b.reduceRight((v, x) => v * 256 + x, 0);

describe('fw_cfg', () => {
  it('has the QEMU signature, the CPU count, the RAM size and no DMA', async () => {
    const pc = await makePc({ ramBytes: 32 * 1024 * 1024 });
    const { ports } = pc.machine;
    expect(String.fromCharCode(...readItem(ports, FwCfgKey.Signature, 4))).toBe('QEMU');
    expect(le(readItem(ports, FwCfgKey.NbCpus, 2))).toBe(1);
    expect(le(readItem(ports, FwCfgKey.RamSize, 8))).toBe(32 * 1024 * 1024);
    expect(le(readItem(ports, FwCfgKey.Id, 4))).toBe(1);
    // Past the end of an item: zeros.
    expect(readItem(ports, FwCfgKey.Signature, 6).slice(4)).toEqual([0, 0]);
  });

  it('carries the command line, the kernel and the modules of the boot plan', async () => {
    const pc = await makePc();
    const kernel = aoutKernel();
    pc.setBoot(
      planMultiboot(kernel, pc.machine.memory, pc.layout, {
        cmdline: 'console=ttyS0',
        modules: [{ data: new Uint8Array([1, 2, 3]), string: 'initrd' }],
      }),
    );
    const { ports } = pc.machine;
    const size = le(readItem(ports, FwCfgKey.CmdlineSize, 4));
    expect(String.fromCharCode(...readItem(ports, FwCfgKey.CmdlineData, size))).toBe('console=ttyS0\0');
    expect(le(readItem(ports, FwCfgKey.KernelSize, 4))).toBe(kernel.length);
    // File directory: big-endian count, then size, selector, name.
    const dir = readItem(ports, FwCfgKey.FileDir, 4 + 64);
    expect((dir[0] << 24) | (dir[1] << 16) | (dir[2] << 8) | dir[3]).toBe(1);
    expect((dir[4] << 24) | (dir[5] << 16) | (dir[6] << 8) | dir[7]).toBe(3);
    const select = (dir[8] << 8) | dir[9];
    expect(String.fromCharCode(...dir.slice(12, 12 + 16))).toBe('opt/tsvm/module0');
    expect(readItem(ports, select, 3)).toEqual([1, 2, 3]);
  });

  it('keeps the selector and read position across a snapshot, and resets them', async () => {
    const pc = await makePc();
    const { ports } = pc.machine;
    readItem(ports, FwCfgKey.Signature, 2);
    const loaded = await roundTrip(pc);
    expect(
      String.fromCharCode(loaded.machine.ports.read(0x511, 1), loaded.machine.ports.read(0x511, 1)),
    ).toBe('MU');
    pc.machine.reset();
    expect(ports.read(0x511, 1)).toBe('Q'.charCodeAt(0));
  });

  it('refuses file names that do not fit the directory', async () => {
    const pc = await makePc();
    expect(() => pc.devices.fwCfg.addFile('x'.repeat(56), new Uint8Array())).toThrow('longer than 55 bytes');
  });
});
