import { MpState, Msr, writebackPlan } from '@tsvm/arch-x86';
import { WritebackLevel } from '@tsvm/core';
import { describe, expect, test } from 'vitest';
import { compareTrace } from '../src/index.js';
import { createBoard, kvmUnusableReason } from './helpers.js';

const skip = kvmUnusableReason();

describe.skipIf(skip !== undefined)('reset mid-run', () => {
  test('the guest requests a reset: it restarts at the reset vector with Reset-level state, RAM intact', async () => {
    const board = await createBoard('reset', { trace: true });
    const { machine, vcpu } = board;
    try {
      machine.memory.load(0x600, new Uint8Array([0xde, 0xad]));
      // Registered after the CPU's reset handler: sees the values the Reset writeback will push.
      const atReset: { csBase: number; eip: number; mpState: MpState }[] = [];
      let traceAtReset: ReturnType<typeof vcpu.takeTrace> = [];
      machine.resets.register('test-probe', () => {
        const s = machine.vcpus[0].state;
        atReset.push({ csBase: s.cs.base >>> 0, eip: s.eip, mpState: s.mpState });
        traceAtReset = vcpu.takeTrace(); // everything before the reset's writeback
      });
      const stop = await machine.run({ timeoutMs: 10_000 });
      expect(stop).toEqual({ reason: 'exit', status: 5 });
      expect(board.output()).toBe('b1\nb2\n'); // the boot counter in RAM survived the reset
      expect(atReset).toEqual([{ csBase: 0xffff0000, eip: 0xfff0, mpState: MpState.Runnable }]);
      expect(traceAtReset.length).toBeGreaterThan(0); // start's Full writeback
      const trace = vcpu.takeTrace();
      expect(
        compareTrace(writebackPlan(WritebackLevel.Reset), trace, vcpu.eventFlagBits, {
          withFeatureControl: vcpu.hasFeatureControlMsr,
        }),
      ).toBeUndefined();
      expect(trace.filter((t) => t.msrs?.includes(Msr.IA32_TSC)).map((t) => t.tsc)).toEqual([1n]);
      expect(trace.filter((t) => t.ioctl === 'KVM_SET_MP_STATE').map((t) => t.flags)).toEqual([
        MpState.Runnable,
      ]);
      expect([...machine.memory.readBytes(0x600, 2)]).toEqual([0xde, 0xad]);
      expect(machine.memory.read(0x500, 1)).toBe(2);
    } finally {
      machine.close();
    }
  });

  test('a triple fault resets the machine when configured to (QEMU default)', async () => {
    const board = await createBoard('triple', { onShutdown: 'reset', trace: true });
    const { machine, vcpu } = board;
    let resets = 0;
    machine.resets.register('count', () => {
      if (++resets === 2) machine.requestStop({ reason: 'quit' });
    });
    try {
      expect(await machine.run({ timeoutMs: 10_000 })).toEqual({ reason: 'quit' });
      expect(resets).toBe(2);
      const resetsInTrace = vcpu.takeTrace().filter((t) => t.ioctl === 'KVM_SET_MP_STATE');
      expect(resetsInTrace.length).toBe(3); // start (Full) + two resets
    } finally {
      machine.close();
    }
  });
});
