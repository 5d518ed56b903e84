import { WritebackLevel } from '@tsvm/core';
import { describe, expect, it } from 'vitest';
import { RESET_MSRS, RUNTIME_MSRS, readbackPlan, writebackPlan } from '../src/plan/writeback-plan.js';
import { Msr, MTRR_MSRS } from '../src/state/msr.js';

const substates = (level: WritebackLevel) => writebackPlan(level).map((s) => s.substate);
const msrsAt = (level: WritebackLevel) => writebackPlan(level).flatMap((s) => s.msrs ?? []);
const index = (level: WritebackLevel, substate: string) => substates(level).indexOf(substate as never);

describe('writebackPlan', () => {
  it('Runtime never writes IA32_TSC, mp_state, TSC frequency, MTRRs, pvclock or feature control', () => {
    const msrs = msrsAt(WritebackLevel.Runtime);
    expect(msrs).not.toContain(Msr.IA32_TSC);
    for (const m of [
      ...MTRR_MSRS,
      Msr.KVM_SYSTEM_TIME_NEW,
      Msr.KVM_WALL_CLOCK_NEW,
      Msr.IA32_FEATURE_CONTROL,
    ]) {
      expect(msrs).not.toContain(m);
    }
    expect(substates(WritebackLevel.Runtime)).not.toContain('mpState');
    expect(substates(WritebackLevel.Runtime)).not.toContain('tscFrequency');
    expect(substates(WritebackLevel.Runtime)).not.toContain('featureControl');
  });

  it('Runtime writes vCPU events without the NMI-pending and SIPI-vector flags', () => {
    const events = writebackPlan(WritebackLevel.Runtime).find((s) => s.substate === 'vcpuEvents');
    expect(events?.eventFlags).toEqual([]);
    for (const level of [WritebackLevel.Reset, WritebackLevel.Full]) {
      expect(writebackPlan(level).find((s) => s.substate === 'vcpuEvents')?.eventFlags).toEqual([
        'nmiPending',
        'sipiVector',
      ]);
    }
  });

  it('every level writes sregs, regs, xsave, xcrs, runtime MSRs, events, debug registers and the TSC deadline', () => {
    for (const level of [WritebackLevel.Runtime, WritebackLevel.Reset, WritebackLevel.Full]) {
      expect(substates(level)).toEqual(
        expect.arrayContaining([
          'regs',
          'xsave',
          'xcrs',
          'sregs',
          'msrs',
          'vcpuEvents',
          'debugRegs',
          'tscDeadline',
        ]),
      );
      expect(msrsAt(level)).toEqual(expect.arrayContaining([...RUNTIME_MSRS, Msr.IA32_TSC_DEADLINE]));
    }
  });

  it('Reset adds IA32_TSC, pvclock MSRs, MTRRs, mp_state, and feature control first', () => {
    const msrs = msrsAt(WritebackLevel.Reset);
    expect(msrs).toContain(Msr.IA32_TSC);
    expect(msrs).toEqual(
      expect.arrayContaining([...MTRR_MSRS, Msr.KVM_SYSTEM_TIME_NEW, Msr.KVM_WALL_CLOCK_NEW]),
    );
    expect(substates(WritebackLevel.Reset)).toContain('mpState');
    expect(substates(WritebackLevel.Reset)[0]).toBe('featureControl');
    expect(substates(WritebackLevel.Reset)).not.toContain('tscFrequency');
  });

  it('Full is Reset plus the TSC frequency', () => {
    const reset = substates(WritebackLevel.Reset);
    const full = substates(WritebackLevel.Full);
    expect(full.filter((s) => s !== 'tscFrequency')).toEqual(reset);
    expect(full).toContain('tscFrequency');
    expect(msrsAt(WritebackLevel.Full)).toEqual(msrsAt(WritebackLevel.Reset));
  });

  it('orders the writes by the KVM rules', () => {
    for (const level of [WritebackLevel.Runtime, WritebackLevel.Reset, WritebackLevel.Full]) {
      // regs before vCPU events (setting regs clears a pending exception)
      expect(index(level, 'regs')).toBeLessThan(index(level, 'vcpuEvents'));
      // sregs before MSRs (EFER / APIC base live in sregs)
      expect(index(level, 'sregs')).toBeLessThan(index(level, 'msrs'));
      // the TSC deadline is the very last write, after IA32_TSC (in the MSR batch)
      expect(substates(level).at(-1)).toBe('tscDeadline');
      expect(index(level, 'msrs')).toBeLessThan(index(level, 'tscDeadline'));
    }
    expect(index(WritebackLevel.Reset, 'vcpuEvents')).toBeLessThan(index(WritebackLevel.Reset, 'mpState'));
  });

  it('is pure: the same level gives an equal plan every time', () => {
    expect(writebackPlan(WritebackLevel.Reset)).toEqual(writebackPlan(WritebackLevel.Reset));
    expect(new Set(RESET_MSRS).size).toBe(RESET_MSRS.length);
  });
});

describe('readbackPlan', () => {
  it('reads vCPU events and mp_state before anything else', () => {
    expect(
      readbackPlan()
        .slice(0, 2)
        .map((s) => s.substate),
    ).toEqual(['vcpuEvents', 'mpState']);
  });
});
