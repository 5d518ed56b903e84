import type { IoPortBus } from '@tsvm/core';
import { describe, expect, it } from 'vitest';
import { makePc, roundTrip } from './helpers.js';

/** The usual PC programming: master at vector 0x20, slave at 0x28, cascade on IRQ 2. */
function initPics(ports: IoPortBus, icw4 = 0x01): void {
  ports.write(0x20, 1, 0x11);
  ports.write(0x21, 1, 0x20);
  ports.write(0x21, 1, 0x04);
  ports.write(0x21, 1, icw4);
  ports.write(0xa0, 1, 0x11);
  ports.write(0xa1, 1, 0x28);
  ports.write(0xa1, 1, 0x02);
  ports.write(0xa1, 1, icw4);
  ports.write(0x21, 1, 0x00);
  ports.write(0xa1, 1, 0x00);
}

describe('8259 PIC pair', () => {
  it('delivers vectors at the programmed base, priority order, and holds lower IRQs until EOI', async () => {
    const pc = await makePc();
    const { ports } = pc.machine;
    const pic = pc.devices.pic;
    initPics(ports);
    pic.pulseIrq(4);
    pic.pulseIrq(1);
    expect(pic.hasInterrupt()).toBe(true);
    expect(pic.acknowledge()).toBe(0x21);
    // IRQ 1 in service blocks IRQ 4 (lower priority) until EOI.
    expect(pic.hasInterrupt()).toBe(false);
    ports.write(0x20, 1, 0x20);
    expect(pic.acknowledge()).toBe(0x24);
    ports.write(0x20, 1, 0x20);
    expect(pic.hasInterrupt()).toBe(false);
  });

  it('cascades slave IRQs through master IRQ 2', async () => {
    const pc = await makePc();
    const { ports } = pc.machine;
    const pic = pc.devices.pic;
    initPics(ports);
    pic.pulseIrq(8);
    expect(pic.acknowledge()).toBe(0x28);
    expect(pic.inspect(0).isr).toBe(0x04);
    expect(pic.inspect(1).isr).toBe(0x01);
  });

  it('honours the mask register and reads IRR/ISR through OCW3', async () => {
    const pc = await makePc();
    const { ports } = pc.machine;
    const pic = pc.devices.pic;
    initPics(ports);
    ports.write(0x21, 1, 0x01);
    pic.pulseIrq(0);
    expect(pic.hasInterrupt()).toBe(false);
    ports.write(0x20, 1, 0x0a); // OCW3: read IRR
    expect(ports.read(0x20, 1)).toBe(0x01);
    ports.write(0x21, 1, 0x00);
    expect(pic.acknowledge()).toBe(0x20);
    ports.write(0x20, 1, 0x0b); // OCW3: read ISR
    expect(ports.read(0x20, 1)).toBe(0x01);
    expect(ports.read(0x21, 1)).toBe(0x00);
  });

  it('latches edges only on a rising edge and follows the line in level mode (ELCR)', async () => {
    const pc = await makePc();
    const { ports } = pc.machine;
    const pic = pc.devices.pic;
    initPics(ports);
    pic.setIrq(5, true);
    expect(pic.acknowledge()).toBe(0x25);
    ports.write(0x20, 1, 0x20);
    expect(pic.hasInterrupt()).toBe(false); // still high, no new edge
    ports.write(0x4d0, 1, 0x20);
    expect(ports.read(0x4d0, 1)).toBe(0x20);
    pic.setIrq(5, false);
    pic.setIrq(5, true);
    expect(pic.acknowledge()).toBe(0x25);
    ports.write(0x20, 1, 0x20);
    expect(pic.hasInterrupt()).toBe(true); // level: still asserted
    pic.setIrq(5, false);
    expect(pic.hasInterrupt()).toBe(false);
  });

  it('gives a spurious IRQ 7 when nothing is pending, and supports auto-EOI', async () => {
    const pc = await makePc();
    const { ports } = pc.machine;
    const pic = pc.devices.pic;
    initPics(ports, 0x03);
    expect(pic.acknowledge()).toBe(0x27);
    pic.pulseIrq(3);
    expect(pic.acknowledge()).toBe(0x23);
    expect(pic.inspect(0).isr).toBe(0);
  });

  it('survives a snapshot and resets to its power-on state', async () => {
    const pc = await makePc();
    const { ports } = pc.machine;
    initPics(ports);
    ports.write(0x21, 1, 0xfa);
    pc.devices.pic.pulseIrq(0);
    const loaded = await roundTrip(pc);
    expect(loaded.machine.ports.read(0x21, 1)).toBe(0xfa);
    expect(loaded.devices.pic.acknowledge()).toBe(0x20);
    pc.machine.reset();
    expect(pc.devices.pic.inspect(0).vectorBase).toBe(0);
    expect(ports.read(0x21, 1)).toBe(0);
  });

  it('rejects IRQ numbers outside 0-15', async () => {
    const pc = await makePc();
    expect(() => pc.devices.pic.setIrq(16, true)).toThrow('IRQ 16 is not 0-15');
  });
});
