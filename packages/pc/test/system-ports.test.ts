import { describe, expect, it } from 'vitest';
import { makePc, roundTrip } from './helpers.js';

describe('debug exit, reset, A20 and POST ports', () => {
  it.each([
    [1, 0x00, 1],
    [1, 0x10, 0x21],
    [2, 0x0003, 7],
    [4, 0x0000002a, 0x55],
  ] as const)('a %i-byte write of %i to 0xf4 stops with status %i', async (size, value, status) => {
    const pc = await makePc();
    const stopped: unknown[] = [];
    pc.machine.requestStop = (s) => void stopped.push(s);
    pc.machine.ports.write(0xf4, size, value);
    expect(stopped).toEqual([{ reason: 'exit', status }]);
    expect(pc.devices.debugExit.lastValue).toBe(value);
    expect((await roundTrip(pc)).devices.debugExit.lastValue).toBe(value);
    pc.machine.reset();
    expect(pc.devices.debugExit.lastValue).toBeUndefined();
  });

  it.each([
    [0x64, 0xfe],
    [0xcf9, 0x06],
    [0xcf9, 0x0e],
    [0x92, 0x01],
  ])('port 0x%s value 0x%s requests a system reset', async (port, value) => {
    const sources: string[] = [];
    const pc = await makePc({ onResetRequest: (s) => sources.push(s) });
    let resets = 0;
    pc.machine.requestReset = () => void resets++;
    pc.machine.ports.write(port, 1, value);
    expect(resets).toBe(1);
    expect(sources).toHaveLength(1);
  });

  it('writes to 0xcf9 without the reset bit, and other 0x64 commands, do not reset', async () => {
    const pc = await makePc();
    let resets = 0;
    pc.machine.requestReset = () => void resets++;
    pc.machine.ports.write(0xcf9, 1, 0x02);
    pc.machine.ports.write(0x64, 1, 0xd1);
    expect(resets).toBe(0);
    expect(pc.machine.ports.read(0xcf9, 1)).toBe(0x02);
  });

  it('stops instead of resetting when the board is built with onGuestReset: stop', async () => {
    const pc = await makePc({ onGuestReset: 'stop' });
    const stopped: unknown[] = [];
    pc.machine.requestStop = (s) => void stopped.push(s);
    pc.machine.ports.write(0x64, 1, 0xfe);
    expect(stopped).toEqual([
      { reason: 'shutdown', message: 'guest requested a reset (keyboard controller 0xFE)' },
    ]);
  });

  it('flips the canonical A20 gate through port 0x92 and reads it back; reset opens it again', async () => {
    const pc = await makePc();
    const state = pc.machine.vcpus[0].state;
    expect(pc.machine.ports.read(0x92, 1) & 2).toBe(2);
    pc.machine.ports.write(0x92, 1, 0x00);
    expect(state.a20Enabled).toBe(false);
    expect(pc.machine.ports.read(0x92, 1) & 2).toBe(0);
    const loaded = await roundTrip(pc);
    expect(loaded.machine.vcpus[0].state.a20Enabled).toBe(false);
    pc.machine.reset();
    expect(state.a20Enabled).toBe(true);
  });

  it('accepts POST codes, reports them to a tracer and reads back the last one', async () => {
    const pc = await makePc();
    const codes: number[] = [];
    pc.devices.post.trace = (c) => codes.push(c);
    pc.machine.ports.write(0x80, 1, 0x55);
    expect(codes).toEqual([0x55]);
    expect(pc.machine.ports.read(0x80, 1)).toBe(0x55);
    pc.machine.reset();
    expect(pc.machine.ports.read(0x80, 1)).toBe(0);
  });

  it('answers the keyboard controller status with empty buffers', async () => {
    const pc = await makePc();
    expect(pc.machine.ports.read(0x64, 1) & 0x03).toBe(0);
  });
});
