import { Msr, type WritebackStep, type X86CpuState } from '@tsvm/arch-x86';
import type { KvmAddon, VcpuHandle } from '../native/addon.js';
import { decodeEvents, encodeEvents } from './kvm-events.js';
import {
  decodeDebugRegs,
  decodeMpState,
  decodeXcrs,
  decodeXsave,
  encodeDebugRegs,
  encodeMpState,
  encodeXcrs,
  encodeXsave,
} from './kvm-misc-state.js';
import { decodeRegs, encodeRegs } from './kvm-regs.js';
import { decodeSregs, encodeSregs } from './kvm-sregs.js';

/** What the plan executor needs to talk to one vCPU. */
export interface StateTransferContext {
  readonly addon: KvmAddon;
  readonly handle: VcpuHandle;
  /** KVM_CAP_TSC_CONTROL: the guest TSC frequency can be set. */
  readonly tscControl: boolean;
  /**
   * KVM lists IA32_FEATURE_CONTROL in KVM_GET_MSR_INDEX_LIST. KVM on AMD has no such MSR and
   * refuses it both ways, so the `featureControl` step is skipped there (QEMU's
   * has_msr_feature_control); the guest then gets #GP on RDMSR 0x3a, as on QEMU/KVM there.
   */
  readonly featureControl: boolean;
  /** No in-kernel irqchip: HLT is handled in userspace, KVM only ever sees RUNNABLE. */
  readonly haltInUserspace: boolean;
}

function msrValue(state: X86CpuState, index: number): bigint {
  return index === Msr.IA32_TSC ? state.tsc : (state.msrs.get(index) ?? 0n);
}

function writeMsrs(ctx: StateTransferContext, state: X86CpuState, indices: readonly number[]): void {
  if (indices.length === 0) return;
  const values = BigUint64Array.from(indices, (i) => BigInt.asUintN(64, msrValue(state, i)));
  ctx.addon.setMsrs(ctx.handle, Uint32Array.from(indices), values);
}

function readMsrs(ctx: StateTransferContext, state: X86CpuState, indices: readonly number[]): void {
  if (indices.length === 0) return;
  const values = ctx.addon.getMsrs(ctx.handle, Uint32Array.from(indices));
  indices.forEach((index, k) => {
    if (index === Msr.IA32_TSC) state.tsc = values[k];
    else state.msrs.set(index, values[k]);
  });
}

/**
 * Write the substates of `steps`, exactly and in order. Which steps a level has is arch-x86's
 * decision (`writebackPlan`); this function adds none, and skips only what the host's KVM does
 * not have (`featureControl` without the MSR).
 */
export function writeSubstates(
  ctx: StateTransferContext,
  state: X86CpuState,
  steps: readonly WritebackStep[],
): void {
  const { addon, handle } = ctx;
  const c = addon.constants;
  for (const step of steps) {
    switch (step.substate) {
      case 'featureControl':
        if (ctx.featureControl) writeMsrs(ctx, state, step.msrs ?? []);
        break;
      case 'msrs':
      case 'tscDeadline':
        writeMsrs(ctx, state, step.msrs ?? []);
        break;
      case 'tscFrequency':
        // 0 means "the host's frequency": nothing to write.
        if (state.tscFrequencyKhz !== 0) {
          if (ctx.tscControl) addon.setTscKhz(handle, state.tscFrequencyKhz);
          else if (addon.getTscKhz(handle) !== state.tscFrequencyKhz) {
            throw new Error(
              `KVM_SET_TSC_KHZ: this KVM cannot change the TSC frequency (no KVM_CAP_TSC_CONTROL); the state asks for ${state.tscFrequencyKhz} kHz, the vCPU runs at ${addon.getTscKhz(handle)} kHz`,
            );
          }
        }
        break;
      case 'regs':
        addon.setRegs(handle, encodeRegs(state, c.SIZEOF_REGS));
        break;
      case 'xsave':
        addon.setXsave(handle, encodeXsave(state, c.SIZEOF_XSAVE));
        break;
      case 'xcrs':
        addon.setXcrs(handle, encodeXcrs(state, c.SIZEOF_XCRS));
        break;
      case 'sregs':
        addon.setSregs(handle, encodeSregs(state, c.SIZEOF_SREGS));
        break;
      case 'vcpuEvents':
        addon.setVcpuEvents(
          handle,
          encodeEvents(state, c.SIZEOF_VCPU_EVENTS, step.eventFlags ?? [], {
            nmiPending: c.EVENTS_NMI_PENDING,
            sipiVector: c.EVENTS_SIPI_VECTOR,
            shadow: c.EVENTS_SHADOW,
          }),
        );
        break;
      case 'mpState':
        addon.setMpState(handle, encodeMpState(state, ctx.haltInUserspace));
        break;
      case 'debugRegs':
        addon.setDebugRegs(handle, encodeDebugRegs(state, c.SIZEOF_DEBUGREGS));
        break;
      default:
        throw new Error(
          `writeback plan step '${(step as WritebackStep).substate}' is unknown to the KVM backend`,
        );
    }
  }
}

/** Read the substates of `steps` in order (arch-x86's `readbackPlan()`: events and mp_state first). */
export function readSubstates(
  ctx: StateTransferContext,
  state: X86CpuState,
  steps: readonly WritebackStep[],
): void {
  const { addon, handle } = ctx;
  for (const step of steps) {
    switch (step.substate) {
      case 'featureControl':
        // Without the MSR the canonical value stays as it was (a TCG snapshot's value survives).
        if (ctx.featureControl) readMsrs(ctx, state, step.msrs ?? []);
        break;
      case 'msrs':
      case 'tscDeadline':
        readMsrs(ctx, state, step.msrs ?? []);
        break;
      case 'tscFrequency':
        state.tscFrequencyKhz = addon.getTscKhz(handle);
        break;
      case 'regs':
        decodeRegs(addon.getRegs(handle), state);
        break;
      case 'xsave':
        decodeXsave(addon.getXsave(handle), state);
        break;
      case 'xcrs':
        decodeXcrs(addon.getXcrs(handle), state);
        break;
      case 'sregs':
        decodeSregs(addon.getSregs(handle), state);
        break;
      case 'vcpuEvents':
        decodeEvents(addon.getVcpuEvents(handle), state, step.eventFlags ?? []);
        break;
      case 'mpState':
        decodeMpState(addon.getMpState(handle), state);
        break;
      case 'debugRegs':
        decodeDebugRegs(addon.getDebugRegs(handle), state);
        break;
      default:
        throw new Error(
          `readback plan step '${(step as WritebackStep).substate}' is unknown to the KVM backend`,
        );
    }
  }
}
