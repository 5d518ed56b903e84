import { Msr, writebackPlan } from '@tsvm/arch-x86';
import { WritebackLevel } from '@tsvm/core';
import { describe, expect, test } from 'vitest';
import { compareTrace, expectedIoctls, type TraceEntry } from '../src/index.js';

const bits = { nmiPending: 1, sipiVector: 2, shadow: 4 };
const full = writebackPlan(WritebackLevel.Full);

describe('the ioctls a plan demands on a given host (no /dev/kvm needed)', () => {
  test('IA32_FEATURE_CONTROL comes first where the host has it, and not at all where it has not', () => {
    expect(expectedIoctls(full)[0]).toEqual({ ioctl: 'KVM_SET_MSRS', msrs: [Msr.IA32_FEATURE_CONTROL] });
    const withoutMsr = expectedIoctls(full, { withFeatureControl: false });
    expect(withoutMsr[0]).toEqual({ ioctl: 'KVM_SET_REGS' });
    expect(withoutMsr.some((e) => e.msrs?.includes(Msr.IA32_FEATURE_CONTROL))).toBe(false);
    expect(withoutMsr).toHaveLength(expectedIoctls(full).length - 1);
    // Runtime has no feature-control step either way.
    const runtime = writebackPlan(WritebackLevel.Runtime);
    expect(expectedIoctls(runtime, { withFeatureControl: false })).toEqual(expectedIoctls(runtime));
  });

  test('a trace that writes the MSR on a host without it is named as the first difference', () => {
    const asIfPresent: TraceEntry[] = expectedIoctls(full).map((e) => ({
      ioctl: e.ioctl,
      ...(e.msrs ? { msrs: [...e.msrs] } : {}),
      ...(e.eventFlags ? { flags: e.eventFlags.includes('nmiPending') ? 3 : 0 } : {}),
    }));
    expect(compareTrace(full, asIfPresent, bits)).toBeUndefined();
    expect(compareTrace(full, asIfPresent, bits, { withFeatureControl: false })).toBe(
      'set-ioctl 0: the plan wants KVM_SET_REGS, the binding issued KVM_SET_MSRS [0x3a]',
    );
    expect(compareTrace(full, asIfPresent.slice(1), bits, { withFeatureControl: false })).toBeUndefined();
  });
});
