import { describe, expect, it } from 'vitest';
import { ApicReg } from '../src/index.js';
import { advance, makePc, roundTrip } from './helpers.js';

const APIC = 0xfee00000;

describe('local APIC', () => {
  it('answers ID, version and SVR at 0xFEE00000', async () => {
    const pc = await makePc();
    const mem = pc.machine.memory;
    expect(mem.read(APIC + ApicReg.Id, 4)).toBe(0);
    expect(mem.read(APIC + ApicReg.Version, 4) & 0xff).toBe(0x14);
    expect(mem.read(APIC + ApicReg.Svr, 4)).toBe(0xff);
  });

  it('runs the timer in periodic mode and delivers its vector until EOI', async () => {
    const pc = await makePc();
    const mem = pc.machine.memory;
    const apic = pc.devices.apic;
    mem.write(APIC + ApicReg.Svr, 4, 0x1ff);
    mem.write(APIC + ApicReg.TimerDivide, 4, 0xb); // divide by 1
    mem.write(APIC + ApicReg.LvtTimer, 4, (1 << 17) | 0x40);
    mem.write(APIC + ApicReg.TimerInitial, 4, 1_000_000); // 1 ms at 1 GHz
    expect(mem.read(APIC + ApicReg.TimerCurrent, 4)).toBe(1_000_000);
    advance(pc, 1_000_000);
    expect(apic.pendingVector()).toBe(0x40);
    expect(pc.machine.memory.read(APIC + ApicReg.Irr + 0x20, 4)).toBe(1);
    expect(apic.acknowledge()).toBe(0x40);
    expect(apic.pendingVector()).toBe(-1);
    expect(mem.read(APIC + ApicReg.Isr + 0x20, 4)).toBe(1);
    advance(pc, 1_000_000);
    // In service: the same priority class waits for EOI.
    expect(apic.pendingVector()).toBe(-1);
    mem.write(APIC + ApicReg.Eoi, 4, 0);
    expect(apic.pendingVector()).toBe(0x40);
  });

  it('holds interrupts below the task priority', async () => {
    const pc = await makePc();
    const mem = pc.machine.memory;
    mem.write(APIC + ApicReg.Svr, 4, 0x1ff);
    mem.write(APIC + ApicReg.Tpr, 4, 0x50);
    mem.write(APIC + ApicReg.IcrLow, 4, (1 << 18) | 0x45); // fixed self-IPI
    expect(pc.devices.apic.pendingVector()).toBe(-1);
    mem.write(APIC + ApicReg.Tpr, 4, 0x30);
    expect(pc.devices.apic.pendingVector()).toBe(0x45);
  });

  it('accepts INIT and SIPI writes and leaves the delivery status idle', async () => {
    const pc = await makePc();
    const mem = pc.machine.memory;
    mem.write(APIC + ApicReg.IcrHigh, 4, 1 << 24);
    mem.write(APIC + ApicReg.IcrLow, 4, 0x4500);
    mem.write(APIC + ApicReg.IcrLow, 4, 0x4608);
    expect(pc.devices.apic.sentIpis).toEqual([
      { kind: 'init', destination: 1, vector: 0 },
      { kind: 'sipi', destination: 1, vector: 8 },
    ]);
    expect(mem.read(APIC + ApicReg.IcrLow, 4) & (1 << 12)).toBe(0);
  });

  it('routes the 8259 through LINT0 (ExtINT) until the guest masks it', async () => {
    const pc = await makePc();
    const mem = pc.machine.memory;
    const { ports } = pc.machine;
    ports.write(0x20, 1, 0x11);
    ports.write(0x21, 1, 0x20);
    ports.write(0x21, 1, 0x04);
    ports.write(0x21, 1, 0x01);
    pc.devices.pic.pulseIrq(1);
    expect(pc.devices.apic.acceptsExtInt()).toBe(true);
    mem.write(APIC + ApicReg.Svr, 4, 0x1ff);
    mem.write(APIC + ApicReg.LvtLint0, 4, 0x10700);
    expect(pc.devices.apic.acceptsExtInt()).toBe(false);
  });

  it('keeps the timer across a snapshot and stops it on reset', async () => {
    const pc = await makePc();
    const mem = pc.machine.memory;
    mem.write(APIC + ApicReg.Svr, 4, 0x1ff);
    mem.write(APIC + ApicReg.TimerDivide, 4, 0xb);
    mem.write(APIC + ApicReg.LvtTimer, 4, 0x41);
    mem.write(APIC + ApicReg.TimerInitial, 4, 5000);
    const loaded = await roundTrip(pc);
    advance(loaded, 5000);
    expect(loaded.devices.apic.pendingVector()).toBe(0x41);
    pc.machine.reset();
    advance(pc, 10_000);
    expect(pc.devices.apic.pendingVector()).toBe(-1);
    expect(mem.read(APIC + ApicReg.Svr, 4)).toBe(0xff);
  });
});

describe('local APIC timer limits', () => {
  it('fires a periodic timer programmed faster than 100 µs at most every 100 µs', async () => {
    const pc = await makePc();
    const mem = pc.machine.memory;
    const apic = pc.devices.apic;
    mem.write(APIC + ApicReg.Svr, 4, 0x1ff);
    mem.write(APIC + ApicReg.TimerDivide, 4, 0xb);
    mem.write(APIC + ApicReg.LvtTimer, 4, (1 << 17) | 0x40);
    mem.write(APIC + ApicReg.TimerInitial, 4, 10); // 10 ns
    let fired = 0;
    for (let t = 0; t < 1000; t++) {
      advance(pc, 1000); // 1 ms in 1 µs steps
      if (apic.pendingVector() === 0x40) {
        fired++;
        apic.acknowledge();
        mem.write(APIC + ApicReg.Eoi, 4, 0);
      }
    }
    expect(fired).toBeGreaterThanOrEqual(9);
    expect(fired).toBeLessThanOrEqual(10);
  });
});
