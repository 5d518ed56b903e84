import { describe, expect, it } from 'vitest';
import type { PcMachine } from '../src/index.js';
import { makePc, roundTrip } from './helpers.js';

const select = (pc: PcMachine, bus: number, dev: number, fn: number, reg: number) =>
  pc.machine.ports.write(0xcf8, 4, (0x80000000 | (bus << 16) | (dev << 11) | (fn << 8) | reg) >>> 0);

describe('PCI configuration mechanism #1', () => {
  it('shows a host bridge at 00:00.0 and nothing elsewhere', async () => {
    const pc = await makePc();
    const ports = pc.machine.ports;
    ports.write(0xcf8, 4, 0x80000000);
    expect(ports.read(0xcf8, 4)).toBe(0x80000000); // how Linux detects type 1
    expect(ports.read(0xcfc, 4)).toBe(0x12378086);
    select(pc, 0, 0, 0, 0x08);
    expect(ports.read(0xcfc + 2, 2)).toBe(0x0600); // class: host bridge
    expect(ports.read(0xcfc + 3, 1)).toBe(0x06);
    select(pc, 0, 1, 0, 0);
    expect(ports.read(0xcfc, 4)).toBe(0xffffffff);
    select(pc, 1, 0, 0, 0);
    expect(ports.read(0xcfc, 2)).toBe(0xffff);
    ports.write(0xcf8, 4, 0); // enable bit clear
    expect(ports.read(0xcfc, 4)).toBe(0xffffffff);
  });

  it('lets the guest change only the command and latency registers; byte writes to 0xCF9 stay reset control', async () => {
    const pc = await makePc();
    const ports = pc.machine.ports;
    select(pc, 0, 0, 0, 0x04);
    ports.write(0xcfc, 2, 0x0007);
    select(pc, 0, 0, 0, 0x00);
    ports.write(0xcfc, 4, 0);
    expect(ports.read(0xcfc, 4)).toBe(0x12378086);
    ports.write(0xcf9, 1, 0x02);
    expect(ports.read(0xcf9, 1)).toBe(0x02);
    expect(ports.read(0xcf8, 4)).toBe(0x80000000);
    const copy = await roundTrip(pc);
    select(copy, 0, 0, 0, 0x04);
    expect(copy.machine.ports.read(0xcfc, 2)).toBe(0x0007);
    pc.machine.reset();
    select(pc, 0, 0, 0, 0x04);
    expect(ports.read(0xcfc, 2)).toBe(0x0006);
  });
});
