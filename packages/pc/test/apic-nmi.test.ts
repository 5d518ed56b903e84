import { describe, expect, it } from 'vitest';
import { ApicReg } from '../src/index.js';
import { makePc, roundTrip } from './helpers.js';

// Issue 10 §4: NMIs from the local APIC (NMI IPIs, LINT0/LINT1 programmed as NMI) and
// back-to-back fixed self-IPIs. The CPU side (vector 2, blocking until IRET, task gates) is
// covered end to end by guests/e2e/nmiguest through the CLI.
const APIC = 0xfee00000;

describe('local APIC NMIs', () => {
  it.each([
    ['destination = own APIC ID', 0x00000400],
    ['self shorthand', 0x00040400],
    ['all-including-self shorthand', 0x00080400],
  ])('an NMI IPI by %s is an NMI, not a fixed vector', async (_what, icr) => {
    const pc = await makePc();
    const mem = pc.machine.memory;
    const apic = pc.devices.apic;
    mem.write(APIC + ApicReg.Svr, 4, 0x1ff);
    expect(apic.hasNmi()).toBe(false);
    mem.write(APIC + ApicReg.IcrLow, 4, icr);
    expect(apic.hasNmi()).toBe(true);
    expect(apic.pendingVector()).toBe(-1);
    expect(mem.read(APIC + ApicReg.IcrLow, 4) & (1 << 12)).toBe(0); // delivery status idle
    apic.takeNmi();
    expect(apic.hasNmi()).toBe(false);
  });

  it('sends no NMI to itself for another destination or all-excluding-self', async () => {
    const pc = await makePc();
    const mem = pc.machine.memory;
    mem.write(APIC + ApicReg.IcrHigh, 4, 1 << 24);
    mem.write(APIC + ApicReg.IcrLow, 4, 0x00000400);
    mem.write(APIC + ApicReg.IcrLow, 4, 0x000c0400);
    expect(pc.devices.apic.hasNmi()).toBe(false);
  });

  it('LINT1 (the board NMI line) is an NMI as firmware leaves it; masked, it is nothing', async () => {
    const pc = await makePc();
    const mem = pc.machine.memory;
    pc.injectNmi();
    expect(pc.devices.apic.hasNmi()).toBe(true);
    pc.devices.apic.takeNmi();
    mem.write(APIC + ApicReg.Svr, 4, 0x1ff);
    mem.write(APIC + ApicReg.LvtLint1, 4, 0x10400);
    pc.injectNmi();
    expect(pc.devices.apic.hasNmi()).toBe(false);
    // Programmed as fixed, the pin delivers its vector instead.
    mem.write(APIC + ApicReg.LvtLint1, 4, 0x45);
    pc.injectNmi();
    expect(pc.devices.apic.hasNmi()).toBe(false);
    expect(pc.devices.apic.pendingVector()).toBe(0x45);
  });

  it('LINT0 programmed as NMI turns a new 8259 request into an NMI', async () => {
    const pc = await makePc();
    const mem = pc.machine.memory;
    const { ports } = pc.machine;
    ports.write(0x20, 1, 0x11);
    ports.write(0x21, 1, 0x20);
    ports.write(0x21, 1, 0x04);
    ports.write(0x21, 1, 0x01);
    mem.write(APIC + ApicReg.Svr, 4, 0x1ff);
    mem.write(APIC + ApicReg.LvtLint0, 4, 0x400);
    expect(pc.devices.apic.lint0IsNmi()).toBe(true);
    expect(pc.devices.apic.acceptsExtInt()).toBe(false);
    pc.devices.pic.pulseIrq(1);
    expect(pc.devices.apic.hasNmi()).toBe(true);
    pc.devices.apic.takeNmi();
    // The 8259's output stays up (nobody acknowledges it): no new edge, no new NMI.
    pc.devices.pic.pulseIrq(3);
    expect(pc.devices.apic.hasNmi()).toBe(false);
  });

  it('keeps a pending NMI across a snapshot and drops it at reset', async () => {
    const pc = await makePc();
    pc.injectNmi();
    const loaded = await roundTrip(pc);
    expect(loaded.devices.apic.hasNmi()).toBe(true);
    pc.machine.reset();
    expect(pc.devices.apic.hasNmi()).toBe(false);
  });
});

describe('back-to-back fixed self-IPIs', () => {
  it('delivers 33 then 32, the lower one only after the EOI of the higher', async () => {
    const pc = await makePc();
    const mem = pc.machine.memory;
    const apic = pc.devices.apic;
    mem.write(APIC + ApicReg.Svr, 4, 0x1ff);
    mem.write(APIC + ApicReg.IcrLow, 4, 0x00040020);
    mem.write(APIC + ApicReg.IcrLow, 4, 0x00040021);
    expect(mem.read(APIC + ApicReg.Irr + 0x10, 4)).toBe(3);
    expect(apic.acknowledge()).toBe(33);
    expect(apic.pendingVector()).toBe(-1); // same priority class, in service
    mem.write(APIC + ApicReg.Eoi, 4, 0);
    expect(apic.acknowledge()).toBe(32);
    expect(mem.read(APIC + ApicReg.Isr + 0x10, 4)).toBe(1);
  });
});
