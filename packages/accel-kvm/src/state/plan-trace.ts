import type { VcpuEventsFlag, WritebackStep } from '@tsvm/arch-x86';
import type { TraceEntry } from '../native/addon.js';
import { type EventFlagBits, eventFlagsOf } from './kvm-events.js';

/** One set-ioctl as a plan predicts it or a trace records it, in comparable form. */
export interface ExpectedIoctl {
  readonly ioctl: string;
  readonly msrs?: readonly number[];
  readonly eventFlags?: readonly VcpuEventsFlag[];
}

const IOCTL_OF: Record<string, string> = {
  featureControl: 'KVM_SET_MSRS',
  msrs: 'KVM_SET_MSRS',
  tscDeadline: 'KVM_SET_MSRS',
  tscFrequency: 'KVM_SET_TSC_KHZ',
  regs: 'KVM_SET_REGS',
  xsave: 'KVM_SET_XSAVE',
  xcrs: 'KVM_SET_XCRS',
  sregs: 'KVM_SET_SREGS',
  vcpuEvents: 'KVM_SET_VCPU_EVENTS',
  mpState: 'KVM_SET_MP_STATE',
  debugRegs: 'KVM_SET_DEBUGREGS',
};

/** What decides whether a plan step issues an ioctl on this host. */
export interface TraceOptions {
  /** A TSC frequency was requested: `tscFrequency` issues KVM_SET_TSC_KHZ (0 means "keep the host's"). */
  readonly withTscFrequency?: boolean;
  /** The host's KVM has IA32_FEATURE_CONTROL (`KvmVcpu.hasFeatureControlMsr`); default true. */
  readonly withFeatureControl?: boolean;
}

/** The set-ioctls a plan must produce on a host described by `options`, in order. */
export function expectedIoctls(plan: readonly WritebackStep[], options: TraceOptions = {}): ExpectedIoctl[] {
  const out: ExpectedIoctl[] = [];
  for (const step of plan) {
    if (step.substate === 'tscFrequency' && !options.withTscFrequency) continue;
    if (step.substate === 'featureControl' && options.withFeatureControl === false) continue;
    const ioctl = IOCTL_OF[step.substate];
    if (step.msrs) out.push({ ioctl, msrs: [...step.msrs] });
    else if (step.substate === 'vcpuEvents') out.push({ ioctl, eventFlags: [...(step.eventFlags ?? [])] });
    else out.push({ ioctl });
  }
  return out;
}

/** A recorded trace in the same form as `expectedIoctls`. */
export function observedIoctls(trace: readonly TraceEntry[], bits: EventFlagBits): ExpectedIoctl[] {
  return trace.map((t) => {
    if (t.ioctl === 'KVM_SET_MSRS') return { ioctl: t.ioctl, msrs: [...(t.msrs ?? [])] };
    if (t.ioctl === 'KVM_SET_VCPU_EVENTS')
      return { ioctl: t.ioctl, eventFlags: eventFlagsOf(t.flags ?? 0, bits) };
    return { ioctl: t.ioctl };
  });
}

const describe = (e: ExpectedIoctl | undefined) =>
  e === undefined
    ? 'nothing'
    : `${e.ioctl}${e.msrs ? ` [${e.msrs.map((m) => `0x${m.toString(16)}`).join(',')}]` : ''}${e.eventFlags ? ` {${e.eventFlags.join(',')}}` : ''}`;

/**
 * Compare a trace with what a plan demands. Returns undefined when they match exactly (same
 * ioctls, same order, same MSR batches, same event flags), else a sentence naming the first difference.
 */
export function compareTrace(
  plan: readonly WritebackStep[],
  trace: readonly TraceEntry[],
  bits: EventFlagBits,
  options: TraceOptions = {},
): string | undefined {
  const want = expectedIoctls(plan, options);
  const got = observedIoctls(trace, bits);
  for (let i = 0; i < Math.max(want.length, got.length); i++) {
    if (describe(want[i]) !== describe(got[i])) {
      return `set-ioctl ${i}: the plan wants ${describe(want[i])}, the binding issued ${describe(got[i])}`;
    }
  }
  return undefined;
}
