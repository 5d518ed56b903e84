export { X86CpuState, XSAVE_AREA_BYTES, FXSAVE_AREA_BYTES } from './state/x86-cpu-state.js';
export {
  type SegmentRegister,
  type SegmentName,
  type TableRegister,
  SEGMENT_NAMES,
  copySegment,
  makeSegment,
} from './state/segment.js';
export { Cr0, Cr4, Efer, Flag, Gpr, GPR_NAMES, MpState } from './state/registers.js';
export { Msr, MTRR_MSRS, VARIABLE_MTRR_COUNT, msrName } from './state/msr.js';
export { type PendingEvents, makePendingEvents } from './state/events.js';
export { type X86CpuModel, DEFAULT_CPU_MODEL, processorSignature } from './state/cpu-model.js';
export {
  APIC_BASE_ADDRESS,
  PAT_RESET_VALUE,
  TSC_RESET_VALUE,
  applyInitValues,
  applyPowerOnValues,
} from './state/reset-values.js';
export { formatCpuState } from './state/format.js';
export {
  RESET_MSRS,
  RUNTIME_MSRS,
  readbackPlan,
  writebackPlan,
  type VcpuEventsFlag,
  type WritebackStep,
  type X86Substate,
} from './plan/writeback-plan.js';
export { CPU_STATE_VERSION, prepareCpuStateLoad, saveCpuState } from './snapshot/cpu-state-codec.js';
export { createX86Arch, x86Arch } from './x86-arch.js';
