import { MpState, Msr, type WritebackStep, writebackPlan } from '@tsvm/arch-x86';
import { WritebackLevel } from '@tsvm/core';
import { afterEach, describe, expect, test } from 'vitest';
import { compareTrace, type TraceEntry } from '../src/index.js';
import { loadAddon, type VcpuHandle } from '../src/native/addon.js';
import { createBoard, kvmUnusableReason, runToEnd, type TestBoard } from './helpers.js';

const skip = kvmUnusableReason();

const tscWrites = (trace: TraceEntry[]) => trace.filter((t) => t.msrs?.includes(Msr.IA32_TSC));
/** What this host's KVM has that decides whether a step issues an ioctl. */
const host = (b: TestBoard) => ({ withFeatureControl: b.vcpu.hasFeatureControlMsr });
const eventFlags = (trace: TraceEntry[]) =>
  trace.filter((t) => t.ioctl === 'KVM_SET_VCPU_EVENTS').map((t) => t.flags ?? 0);

describe.skipIf(skip !== undefined)('writeback levels, proven by the set-ioctl trace on /dev/kvm', () => {
  let board: TestBoard | undefined;
  afterEach(() => board?.machine.close());

  test('the trace is off by default', async () => {
    board = await createBoard('real');
    board.machine.start();
    expect(board.vcpu.takeTrace()).toEqual([]);
  });

  test('machine start writes exactly writebackPlan(Full), in order', async () => {
    board = await createBoard('real', { trace: true });
    const atCreate = board.vcpu.takeTrace();
    expect(atCreate.map((t) => t.ioctl)).toEqual(['KVM_SET_CPUID2']); // CPUID first, once
    board.machine.start();
    const trace = board.vcpu.takeTrace();
    expect(
      compareTrace(writebackPlan(WritebackLevel.Full), trace, board.vcpu.eventFlagBits, host(board)),
    ).toBeUndefined();
    expect(tscWrites(trace).map((t) => t.tsc)).toEqual([1n]);
  });

  test('after synchronizeState the next run writes the Runtime plan only: no IA32_TSC, mp_state, NMI/SIPI flags', async () => {
    board = await createBoard('real', { trace: true });
    board.machine.start();
    board.vcpu.takeTrace();
    board.machine.vcpus[0].synchronizeState();
    expect(board.vcpu.takeTrace()).toEqual([]); // reading writes nothing
    expect(await runToEnd(board)).toEqual({ reason: 'exit', status: 33 });
    const trace = board.vcpu.takeTrace();
    expect(
      compareTrace(writebackPlan(WritebackLevel.Runtime), trace, board.vcpu.eventFlagBits, host(board)),
    ).toBeUndefined();
    expect(tscWrites(trace)).toEqual([]);
    expect(trace.some((t) => t.ioctl === 'KVM_SET_MP_STATE')).toBe(false);
    const bits = board.vcpu.eventFlagBits;
    expect(eventFlags(trace)).toHaveLength(1);
    for (const f of eventFlags(trace)) expect(f & (bits.nmiPending | bits.sipiVector)).toBe(0);
  });

  test('a system reset writes exactly writebackPlan(Reset): IA32_TSC = 1, mp_state runnable, NMI/SIPI flags', async () => {
    board = await createBoard('real', { trace: true });
    board.machine.start();
    board.vcpu.takeTrace();
    board.machine.reset();
    const trace = board.vcpu.takeTrace();
    expect(
      compareTrace(writebackPlan(WritebackLevel.Reset), trace, board.vcpu.eventFlagBits, host(board)),
    ).toBeUndefined();
    expect(tscWrites(trace).map((t) => t.tsc)).toEqual([1n]);
    expect(trace.filter((t) => t.ioctl === 'KVM_SET_MP_STATE').map((t) => t.flags)).toEqual([
      MpState.Runnable,
    ]);
    const bits = board.vcpu.eventFlagBits;
    expect(eventFlags(trace)).toEqual([bits.shadow | bits.nmiPending | bits.sipiVector]);
    // IA32_FEATURE_CONTROL first where KVM has it (never written where it does), TSC deadline
    // last and on its own.
    if (board.vcpu.hasFeatureControlMsr) expect(trace[0].msrs).toEqual([Msr.IA32_FEATURE_CONTROL]);
    else expect(trace.some((t) => t.msrs?.includes(Msr.IA32_FEATURE_CONTROL))).toBe(false);
    expect(trace.at(-1)?.msrs).toEqual([Msr.IA32_TSC_DEADLINE]);
  });

  test('loading a snapshot (post-init) writes exactly writebackPlan(Full)', async () => {
    board = await createBoard('real', { trace: true });
    board.machine.start();
    const snapshot = board.machine.save();
    board.vcpu.takeTrace();
    board.machine.load(snapshot);
    const trace = board.vcpu.takeTrace();
    expect(
      compareTrace(writebackPlan(WritebackLevel.Full), trace, board.vcpu.eventFlagBits, host(board)),
    ).toBeUndefined();
  });

  test('TSC frequency: written at Full where KVM can change it, refused clearly where it cannot', async () => {
    board = await createBoard('real', { trace: true });
    const addon = loadAddon();
    const handle = (board.vcpu as unknown as { handle: VcpuHandle }).handle;
    const khz = addon.getTscKhz(handle);
    const sys = addon.openSystem('/dev/kvm');
    const tscControl = addon.checkExtension(sys, addon.constants.CAP_TSC_CONTROL) > 0;
    addon.close(sys);
    const state = board.machine.vcpus[0].state;
    board.vcpu.takeTrace();
    if (tscControl) {
      state.tscFrequencyKhz = khz;
      board.machine.start();
      const trace = board.vcpu.takeTrace();
      const plan = writebackPlan(WritebackLevel.Full);
      expect(
        compareTrace(plan, trace, board.vcpu.eventFlagBits, { ...host(board), withTscFrequency: true }),
      ).toBeUndefined();
    } else {
      console.log('TSC frequency: this KVM lacks KVM_CAP_TSC_CONTROL; checking the refusal path');
      state.tscFrequencyKhz = khz + 1000;
      expect(() => board!.machine.start()).toThrow(
        new RegExp(
          `KVM_SET_TSC_KHZ: this KVM cannot change the TSC frequency .*asks for ${khz + 1000} kHz, the vCPU runs at ${khz} kHz`,
        ),
      );
      // Refused at the tscFrequency step: only the feature-control step before it was written.
      expect(board.vcpu.takeTrace().map((t) => t.ioctl)).toEqual(
        board.vcpu.hasFeatureControlMsr ? ['KVM_SET_MSRS'] : [],
      );
      state.tscFrequencyKhz = khz; // the frequency it already has: nothing to change
      board.vcpu.writeState(WritebackLevel.Full);
      expect(
        compareTrace(
          writebackPlan(WritebackLevel.Full),
          board.vcpu.takeTrace(),
          board.vcpu.eventFlagBits,
          host(board),
        ),
      ).toBeUndefined();
    }
  });

  test('the check catches a deliberately wrong plan (TSC at Runtime, as in 2010) and a reordered one', async () => {
    const tscAtRuntime = (level: WritebackLevel): readonly WritebackStep[] =>
      writebackPlan(level === WritebackLevel.Runtime ? WritebackLevel.Reset : level);
    board = await createBoard('real', { trace: true, writebackPlan: tscAtRuntime });
    board.machine.start();
    board.vcpu.takeTrace();
    board.machine.vcpus[0].synchronizeState();
    await runToEnd(board);
    const wrong = board.vcpu.takeTrace();
    expect(tscWrites(wrong)).not.toEqual([]);
    // A Reset plan at Runtime starts with feature control where KVM has it; elsewhere it first
    // differs at the MSR batch, which then carries IA32_TSC (0x10).
    expect(
      compareTrace(writebackPlan(WritebackLevel.Runtime), wrong, board.vcpu.eventFlagBits, host(board)),
    ).toMatch(
      board.vcpu.hasFeatureControlMsr
        ? /set-ioctl 0: the plan wants KVM_SET_REGS, the binding issued KVM_SET_MSRS \[0x3a\]/
        : /set-ioctl 4: the plan wants KVM_SET_MSRS \[0x174,[^\]]*\], the binding issued KVM_SET_MSRS \[0x174,[^\]]*,0x10,/,
    );
    board.machine.close();

    // Same steps, regs moved after vCPU events: the order check notices.
    const reordered = (level: WritebackLevel): readonly WritebackStep[] => {
      const steps = [...writebackPlan(level)];
      const regs = steps.findIndex((s) => s.substate === 'regs');
      const [step] = steps.splice(regs, 1);
      steps.splice(steps.findIndex((s) => s.substate === 'vcpuEvents') + 1, 0, step);
      return steps;
    };
    board = await createBoard('real', { trace: true, writebackPlan: reordered });
    board.machine.start();
    const trace = board.vcpu.takeTrace().slice(1); // drop KVM_SET_CPUID2
    expect(
      compareTrace(writebackPlan(WritebackLevel.Full), trace, board.vcpu.eventFlagBits, host(board)),
    ).toMatch(/the plan wants KVM_SET_REGS, the binding issued KVM_SET_XSAVE/);
  });
});
