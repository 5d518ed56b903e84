import { WritebackLevel } from '@tsvm/core';
import { Msr, MTRR_MSRS } from '../state/msr.js';

/** The pieces of x86 vCPU state an accelerator with its own copy writes or reads, one at a time. */
export type X86Substate =
  | 'featureControl'
  | 'tscFrequency'
  | 'regs'
  | 'xsave'
  | 'xcrs'
  | 'sregs'
  | 'msrs'
  | 'vcpuEvents'
  | 'mpState'
  | 'debugRegs'
  | 'tscDeadline';

/** Optional parts of `struct kvm_vcpu_events` that a step marks valid (written only at Reset and Full). */
export type VcpuEventsFlag = 'nmiPending' | 'sipiVector';

export interface WritebackStep {
  readonly substate: X86Substate;
  /** For `msrs`, `featureControl` and `tscDeadline`: exactly which MSRs, in order. */
  readonly msrs?: readonly number[];
  /** For `vcpuEvents`: which optional fields are written. */
  readonly eventFlags?: readonly VcpuEventsFlag[];
}

/** MSRs only the vCPU itself changes while running: safe to write at every level. */
export const RUNTIME_MSRS: readonly number[] = [
  Msr.IA32_SYSENTER_CS,
  Msr.IA32_SYSENTER_ESP,
  Msr.IA32_SYSENTER_EIP,
  Msr.IA32_PAT,
  Msr.STAR,
  Msr.LSTAR,
  Msr.CSTAR,
  Msr.FMASK,
  Msr.KERNEL_GS_BASE,
  Msr.TSC_AUX,
  Msr.IA32_MISC_ENABLE,
];

/** MSRs that only a reset or a full load may write: the clock, paravirtual clock and MTRRs. */
export const RESET_MSRS: readonly number[] = [
  Msr.IA32_TSC,
  Msr.KVM_SYSTEM_TIME_NEW,
  Msr.KVM_WALL_CLOCK_NEW,
  ...MTRR_MSRS,
];

/**
 * The ordered list of substates to write at `level`. Pure and declarative: the KVM backend
 * executes it as given and decides nothing itself.
 */
export function writebackPlan(level: WritebackLevel): readonly WritebackStep[] {
  const atLeastReset = level >= WritebackLevel.Reset;
  const steps: WritebackStep[] = [];
  // Feature control first: later MSR writes (and nested state) are checked against it.
  if (atLeastReset) steps.push({ substate: 'featureControl', msrs: [Msr.IA32_FEATURE_CONTROL] });
  // TSC frequency only at Full: changing the guest's clock rate is a machine-level decision.
  if (level === WritebackLevel.Full) steps.push({ substate: 'tscFrequency' });
  // regs before vCPU events: setting regs clears a pending exception.
  steps.push({ substate: 'regs' });
  steps.push({ substate: 'xsave' });
  steps.push({ substate: 'xcrs' });
  // sregs before MSRs and the LAPIC: EFER and the APIC base travel in sregs.
  steps.push({ substate: 'sregs' });
  // IA32_TSC (in RESET_MSRS) never at Runtime: writing it would rewind the guest's clock.
  steps.push({ substate: 'msrs', msrs: atLeastReset ? [...RUNTIME_MSRS, ...RESET_MSRS] : RUNTIME_MSRS });
  // NMI-pending and SIPI vector are reset state: at Runtime they would undo the vCPU's own progress.
  steps.push({ substate: 'vcpuEvents', eventFlags: atLeastReset ? ['nmiPending', 'sipiVector'] : [] });
  // mp_state after events: the SIPI vector (an event field) must be in place before mp_state says SIPI received.
  if (atLeastReset) steps.push({ substate: 'mpState' });
  steps.push({ substate: 'debugRegs' });
  // TSC deadline last, on its own: it is relative to IA32_TSC, which must already be written.
  steps.push({ substate: 'tscDeadline', msrs: [Msr.IA32_TSC_DEADLINE] });
  return steps;
}

/**
 * The order to read state back from an accelerator: vCPU events and mp_state first, because
 * reading mp_state can complete a pending INIT/SIPI and change CS:RIP.
 */
export function readbackPlan(): readonly WritebackStep[] {
  return [
    { substate: 'vcpuEvents', eventFlags: ['nmiPending', 'sipiVector'] },
    { substate: 'mpState' },
    { substate: 'regs' },
    { substate: 'xsave' },
    { substate: 'xcrs' },
    { substate: 'sregs' },
    { substate: 'msrs', msrs: [...RUNTIME_MSRS, ...RESET_MSRS] },
    { substate: 'featureControl', msrs: [Msr.IA32_FEATURE_CONTROL] },
    { substate: 'debugRegs' },
    { substate: 'tscDeadline', msrs: [Msr.IA32_TSC_DEADLINE] },
  ];
}
