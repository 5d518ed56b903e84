import { describe, expect, it } from 'vitest';
import type { PcMachine } from '../src/index.js';
import { makePc, roundTrip } from './helpers.js';

const status = (pc: PcMachine) => pc.machine.ports.read(0x64, 1);
const command = (pc: PcMachine, c: number) => pc.machine.ports.write(0x64, 1, c);
const data = (pc: PcMachine, v: number) => pc.machine.ports.write(0x60, 1, v);
/** Read every byte waiting in the output buffer. */
function drain(pc: PcMachine): number[] {
  const out: number[] = [];
  while (status(pc) & 1) out.push(pc.machine.ports.read(0x60, 1));
  return out;
}

describe('i8042 keyboard controller', () => {
  it('passes its self test and the keyboard interface test; status has the system flag', async () => {
    const pc = await makePc();
    expect(status(pc) & 0x07).toBe(0x04);
    command(pc, 0xaa);
    expect(drain(pc)).toEqual([0x55]);
    command(pc, 0xab);
    expect(drain(pc)).toEqual([0x00]);
  });

  it('reads and writes the command byte, raising IRQ 1 only when it is enabled', async () => {
    const pc = await makePc();
    command(pc, 0x60);
    data(pc, 0x44); // interrupts off
    command(pc, 0x20);
    expect(drain(pc)).toEqual([0x44]);
    expect(pc.devices.pic.inspect(0).irr & 0x02).toBe(0);
    pc.machine.reset();
    command(pc, 0x20);
    expect(drain(pc)).toEqual([0x45]); // KBD INT | SYS | XLATE after reset
    data(pc, 0xf2); // identify: an interrupt, then three bytes
    expect(pc.devices.pic.inspect(0).irr & 0x02).toBe(0x02);
    expect(drain(pc)).toEqual([0xfa, 0xab, 0x41]);
  });

  it('has a keyboard with no keys: reset, LEDs, rate, scan set, echo', async () => {
    const pc = await makePc();
    data(pc, 0xff);
    expect(drain(pc)).toEqual([0xfa, 0xaa]);
    data(pc, 0xed);
    data(pc, 0x07);
    data(pc, 0xf3);
    data(pc, 0x00);
    expect(drain(pc)).toEqual([0xfa, 0xfa, 0xfa, 0xfa]);
    data(pc, 0xf0);
    data(pc, 0x00);
    expect(drain(pc)).toEqual([0xfa, 0xfa, 0x41]);
    data(pc, 0xee);
    expect(drain(pc)).toEqual([0xee]);
    expect(drain(pc)).toEqual([]); // nothing typed
  });

  it('has no aux port: the loopback comes back as keyboard data, the aux test fails', async () => {
    const pc = await makePc();
    command(pc, 0xd3);
    data(pc, 0x5a);
    expect(status(pc) & 0x21).toBe(0x01); // output full, not aux data
    expect(drain(pc)).toEqual([0x5a]);
    command(pc, 0xa9);
    expect(drain(pc)).toEqual([0x02]);
  });

  it('drives A20 and reset through the output port, and pulses reset with 0xFE', async () => {
    const sources: string[] = [];
    const pc = await makePc({ onResetRequest: (s) => sources.push(s) });
    pc.machine.requestReset = () => {};
    const state = pc.machine.vcpus[0].state;
    command(pc, 0xd1);
    data(pc, 0x01); // A20 off, reset line high
    expect(state.a20Enabled).toBe(false);
    command(pc, 0xd0);
    expect(drain(pc)).toEqual([0x01]);
    command(pc, 0xd1);
    data(pc, 0x03);
    expect(state.a20Enabled).toBe(true);
    expect(sources).toEqual([]);
    command(pc, 0xd1);
    data(pc, 0x02); // reset line low
    command(pc, 0xfe);
    expect(sources).toEqual(['keyboard controller output port bit 0', 'keyboard controller 0xFE']);
  });

  it('keeps queued bytes and the command byte across a snapshot; reset empties the queue', async () => {
    const pc = await makePc();
    command(pc, 0x60);
    data(pc, 0x47);
    data(pc, 0xf2);
    expect(pc.machine.ports.read(0x60, 1)).toBe(0xfa);
    const copy = await roundTrip(pc);
    expect(drain(copy)).toEqual([0xab, 0x41]);
    command(copy, 0x20);
    expect(drain(copy)).toEqual([0x47]);
    pc.machine.reset();
    expect(drain(pc)).toEqual([]);
  });
});
