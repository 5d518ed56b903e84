import type { Accelerator, IoPortBus } from '@tsvm/core';
import { describe, expect, it } from 'vitest';
import type { PcMachine } from '../src/index.js';
import { advance, makePc, roundTrip } from './helpers.js';

const read = (ports: IoPortBus, index: number) => {
  ports.write(0x70, 1, index);
  return ports.read(0x71, 1);
};
const write = (ports: IoPortBus, index: number, value: number) => {
  ports.write(0x70, 1, index);
  ports.write(0x71, 1, value);
};

// 2026-11-25 23:45:07 UTC, a Wednesday.
const T = Date.UTC(2026, 10, 25, 23, 45, 7, 250);

describe('CMOS/RTC', () => {
  it('reads the host time of day in BCD, 24-hour', async () => {
    const pc = await makePc({ hostTimeMs: () => T });
    const { ports } = pc.machine;
    expect(read(ports, 0x00)).toBe(0x07);
    expect(read(ports, 0x02)).toBe(0x45);
    expect(read(ports, 0x04)).toBe(0x23);
    expect(read(ports, 0x06)).toBe(0x04);
    expect(read(ports, 0x07)).toBe(0x25);
    expect(read(ports, 0x08)).toBe(0x11);
    expect(read(ports, 0x09)).toBe(0x26);
    expect(read(ports, 0x32)).toBe(0x20);
    expect(read(ports, 0x0d)).toBe(0x80);
  });

  it('switches to binary and 12-hour formats', async () => {
    const pc = await makePc({ hostTimeMs: () => T });
    const { ports } = pc.machine;
    write(ports, 0x0b, 0x04); // binary, 12-hour
    expect(read(ports, 0x02)).toBe(45);
    expect(read(ports, 0x04)).toBe(0x80 | 11);
  });

  it('lets the guest set the clock, which then runs on from there', async () => {
    let now = T;
    const pc = await makePc({ hostTimeMs: () => now });
    const { ports } = pc.machine;
    write(ports, 0x04, 0x08);
    expect(read(ports, 0x04)).toBe(0x08);
    now += 3600_000;
    expect(read(ports, 0x04)).toBe(0x09);
    const loaded = await roundTrip(pc, { hostTimeMs: () => now });
    expect(read(loaded.machine.ports, 0x04)).toBe(0x09);
  });

  it('reports memory sizes in NVRAM', async () => {
    const pc = await makePc({ ramBytes: 16 * 1024 * 1024 });
    const { ports } = pc.machine;
    expect(read(ports, 0x15) | (read(ports, 0x16) << 8)).toBe(640);
    expect(read(ports, 0x17) | (read(ports, 0x18) << 8)).toBe(15 * 1024);
    expect(read(ports, 0x34) | (read(ports, 0x35) << 8)).toBe(0);
  });

  it('delivers periodic interrupts on IRQ 8 and acknowledges them through register C', async () => {
    const pc = await makePc({ hostTimeMs: () => T });
    const { ports } = pc.machine;
    write(ports, 0x0a, 0x26); // 1024 Hz
    write(ports, 0x0b, 0x42); // PIE
    advance(pc, 1e6);
    expect(pc.devices.pic.inspect(1).irr & 1).toBe(1);
    expect(read(ports, 0x0c) & 0xc0).toBe(0xc0);
    expect(read(ports, 0x0c)).toBe(0);
    pc.machine.reset();
    expect(read(ports, 0x0b) & 0x40).toBe(0);
  });

  it('masks NMI through bit 7 of the index port', async () => {
    const pc = await makePc();
    pc.machine.ports.write(0x70, 1, 0x8f);
    expect(pc.devices.rtc.nmiDisabled).toBe(true);
  });
});

describe('RTC under the instruction clock', () => {
  /** A vCPU that counts instructions (it never runs any): the machine picks the instruction clock. */
  const countingAccelerator: Accelerator = {
    name: 'counting',
    probe: () => ({ available: true, reason: 'test double' }),
    createVm: () => ({
      createVcpu: () => ({ instructionsRetired: 0, run: () => ({ kind: 'halt', wakeable: true }) }),
    }),
  };
  const seconds = (pc: PcMachine) => {
    pc.machine.ports.write(0x70, 1, 0x00);
    const bcd = pc.machine.ports.read(0x71, 1);
    return (bcd >> 4) * 10 + (bcd & 0xf);
  };

  it('keeps time with the virtual clock (QEMU -rtc clock=vm), so it agrees with the PIT and the TSC', async () => {
    const pc = await makePc({ accelerator: countingAccelerator });
    expect(pc.machine.clockSource).toBe('instructions');
    const before = seconds(pc);
    advance(pc, 5e9);
    expect((seconds(pc) - before + 60) % 60).toBe(5);
  });
});
