import { describe, expect, it } from 'vitest';
import { Lsr } from '../src/index.js';
import { makePc, roundTrip } from './helpers.js';

const COM1 = 0x3f8;

describe('16550 UART', () => {
  it('sends guest writes to the output and keeps THRE/TEMT set', async () => {
    const out: number[] = [];
    const pc = await makePc({ serialOutput: (b) => out.push(b) });
    const { ports } = pc.machine;
    for (const c of 'hi\n') ports.write(COM1, 1, c.charCodeAt(0));
    expect(String.fromCharCode(...out)).toBe('hi\n');
    expect(ports.read(COM1 + 5, 1) & (Lsr.ThrEmpty | Lsr.TransmitterEmpty)).toBe(
      Lsr.ThrEmpty | Lsr.TransmitterEmpty,
    );
  });

  it('delivers host input through RBR with the data-ready bit, FIFO order, and refills from the queue', async () => {
    const pc = await makePc();
    const { ports } = pc.machine;
    expect(ports.read(COM1 + 5, 1) & Lsr.DataReady).toBe(0);
    ports.write(COM1 + 2, 1, 0x07); // enable + clear FIFOs
    pc.devices.uart.receive(new TextEncoder().encode('abcdefghijklmnopqrstuvwxyz'));
    const got: string[] = [];
    while (ports.read(COM1 + 5, 1) & Lsr.DataReady) got.push(String.fromCharCode(ports.read(COM1, 1)));
    expect(got.join('')).toBe('abcdefghijklmnopqrstuvwxyz');
  });

  it('raises IRQ 4 for received data and THR empty, with IIR priorities', async () => {
    const pc = await makePc();
    const { ports } = pc.machine;
    const pic = pc.devices.pic;
    ports.write(0x21, 1, 0xff); // mask everything at the PIC for now
    ports.write(COM1 + 1, 1, 0x03); // IER: rx data + THRE
    // Enabling THRE with an empty THR raises it at once.
    expect(ports.read(COM1 + 2, 1) & 0x0f).toBe(0x02);
    // Reading IIR cleared THRE: nothing pending now.
    expect(ports.read(COM1 + 2, 1) & 0x0f).toBe(0x01);
    pc.devices.uart.receive([0x41]);
    expect(pic.inspect(0).irr & 0x10).toBe(0x10);
    expect(ports.read(COM1 + 2, 1) & 0x0f).toBe(0x04);
    expect(ports.read(COM1, 1)).toBe(0x41);
    expect(ports.read(COM1 + 2, 1) & 0x0f).toBe(0x01);
  });

  it('reports the FIFO in IIR bits 7-6 and a character timeout below the trigger level', async () => {
    const pc = await makePc();
    const { ports } = pc.machine;
    ports.write(COM1 + 2, 1, 0xc1); // FIFO on, trigger 14
    ports.write(COM1 + 1, 1, 0x01);
    pc.devices.uart.receive([1, 2, 3]);
    expect(ports.read(COM1 + 2, 1)).toBe(0xcc);
    pc.devices.uart.receive(new Uint8Array(11));
    expect(ports.read(COM1 + 2, 1)).toBe(0xc4);
  });

  it('loops output back to input in loopback mode and divisor latch access works', async () => {
    const out: number[] = [];
    const pc = await makePc({ serialOutput: (b) => out.push(b) });
    const { ports } = pc.machine;
    ports.write(COM1 + 4, 1, 0x10);
    ports.write(COM1, 1, 0x5a);
    expect(out).toEqual([]);
    expect(ports.read(COM1, 1)).toBe(0x5a);
    ports.write(COM1 + 3, 1, 0x83);
    ports.write(COM1, 1, 0x01);
    ports.write(COM1 + 1, 1, 0x00);
    expect(ports.read(COM1, 1)).toBe(0x01);
    ports.write(COM1 + 3, 1, 0x03);
    ports.write(COM1 + 7, 1, 0x99);
    expect(ports.read(COM1 + 7, 1)).toBe(0x99);
  });

  it('keeps registers and pending input across a snapshot and clears them on reset', async () => {
    const pc = await makePc();
    const { ports } = pc.machine;
    ports.write(COM1 + 7, 1, 0x42);
    ports.write(COM1 + 1, 1, 0x01);
    pc.devices.uart.receive([7, 8]);
    const loaded = await roundTrip(pc);
    expect(loaded.machine.ports.read(COM1 + 7, 1)).toBe(0x42);
    expect(loaded.machine.ports.read(COM1 + 1, 1)).toBe(0x01);
    expect(loaded.machine.ports.read(COM1, 1)).toBe(7);
    expect(loaded.machine.ports.read(COM1, 1)).toBe(8);
    pc.machine.reset();
    expect(ports.read(COM1 + 7, 1)).toBe(0);
    expect(ports.read(COM1 + 1, 1)).toBe(0);
  });

  it('refuses more host input than its queue holds', async () => {
    const pc = await makePc();
    expect(pc.devices.uart.receive(new Uint8Array(100_000))).toBe(64 * 1024);
    expect(pc.devices.uart.receive([1])).toBe(0);
  });
});
