import { describe, expect, it } from 'vitest';
import { PIT_HZ } from '../src/index.js';
import { advance, makePc, roundTrip } from './helpers.js';

describe('8254 PIT', () => {
  it('raises IRQ 0 at the programmed rate in mode 2', async () => {
    const pc = await makePc();
    const { ports } = pc.machine;
    const divisor = 11932; // ~100 Hz
    ports.write(0x43, 1, 0x34);
    ports.write(0x40, 1, divisor & 0xff);
    ports.write(0x40, 1, divisor >> 8);
    advance(pc, 1e9 / 2); // half a second of virtual time, in one step...
    // ...delivers one edge: a stalled host is not flooded with the missed ones.
    expect(pc.devices.pit.irqCount).toBe(1);
    for (let i = 0; i < 100; i++) advance(pc, (divisor * 1e9) / PIT_HZ);
    expect(pc.devices.pit.irqCount).toBeGreaterThanOrEqual(100);
    expect(pc.devices.pit.irqCount).toBeLessThanOrEqual(102);
    expect(pc.devices.pic.inspect(0).irr & 1).toBe(1);
  });

  it('counts down and latches the count', async () => {
    const pc = await makePc();
    const { ports } = pc.machine;
    ports.write(0x43, 1, 0x30); // channel 0, lo/hi, mode 0
    ports.write(0x40, 1, 0x00);
    ports.write(0x40, 1, 0x10); // 0x1000
    advance(pc, (0x100 * 1e9) / PIT_HZ + 1);
    ports.write(0x43, 1, 0x00); // latch
    advance(pc, 1e6);
    const lo = ports.read(0x40, 1);
    const hi = ports.read(0x40, 1);
    expect((hi << 8) | lo).toBe(0x1000 - 0x100);
    expect(pc.devices.pit.irqCount).toBe(0);
  });

  it('fires once in mode 0 at terminal count', async () => {
    const pc = await makePc();
    const { ports } = pc.machine;
    ports.write(0x43, 1, 0x30);
    ports.write(0x40, 1, 100);
    ports.write(0x40, 1, 0);
    for (let i = 0; i < 10; i++) advance(pc, (50 * 1e9) / PIT_HZ);
    expect(pc.devices.pit.irqCount).toBe(1);
  });

  it('shows channel 2 output and the refresh toggle on port 0x61', async () => {
    const pc = await makePc();
    const { ports } = pc.machine;
    const a = ports.read(0x61, 1) & 0x10;
    const b = ports.read(0x61, 1) & 0x10;
    expect(a).not.toBe(b);
    ports.write(0x61, 1, 0x01);
    ports.write(0x43, 1, 0xb0); // channel 2, mode 0
    ports.write(0x42, 1, 10);
    ports.write(0x42, 1, 0);
    expect(ports.read(0x61, 1) & 0x20).toBe(0);
    advance(pc, (20 * 1e9) / PIT_HZ);
    expect(ports.read(0x61, 1) & 0x20).toBe(0x20);
  });

  it('keeps its programming across a snapshot and stops on reset', async () => {
    const pc = await makePc();
    const { ports } = pc.machine;
    ports.write(0x43, 1, 0x34);
    ports.write(0x40, 1, 0x9c);
    ports.write(0x40, 1, 0x2e);
    const loaded = await roundTrip(pc);
    advance(loaded, 20e6);
    expect(loaded.devices.pit.irqCount).toBeGreaterThanOrEqual(1);
    pc.machine.reset();
    advance(pc, 100e6);
    expect(pc.devices.pit.irqCount).toBe(0);
  });

  it('snapshots a count started at a fractional virtual time (the clock follows host time)', async () => {
    const pc = await makePc();
    pc.machine.clock.set(946065.0000000298);
    const { ports } = pc.machine;
    ports.write(0x43, 1, 0x34);
    ports.write(0x40, 1, 0x9c);
    ports.write(0x40, 1, 0x2e);
    const loaded = await roundTrip(pc);
    advance(loaded, 20e6);
    expect(loaded.devices.pit.irqCount).toBeGreaterThanOrEqual(1);
  });
});
