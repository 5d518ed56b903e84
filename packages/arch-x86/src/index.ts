export {
  RESET_MSRS,
  RUNTIME_MSRS,
  readbackPlan,
  type VcpuEventsFlag,
  type WritebackStep,
  writebackPlan,
  type X86Substate,
} from './plan/writeback-plan.js';
export { CPU_STATE_VERSION, prepareCpuStateLoad, saveCpuState } from './snapshot/cpu-state-codec.js';
export { DEFAULT_CPU_MODEL, processorSignature, type X86CpuModel } from './state/cpu-model.js';
export { makePendingEvents, type PendingEvents } from './state/events.js';
export { formatCpuState } from './state/format.js';
export { type PhysicalRead32, translateLinear } from './state/linear-address.js';
export { Msr, MTRR_MSRS, msrName, VARIABLE_MTRR_COUNT } from './state/msr.js';
export { Cr0, Cr4, Efer, Flag, GPR_NAMES, Gpr, MpState } from './state/registers.js';
export {
  APIC_BASE_ADDRESS,
  applyInitValues,
  applyPowerOnValues,
  PAT_RESET_VALUE,
  TSC_RESET_VALUE,
} from './state/reset-values.js';
export {
  copySegment,
  makeSegment,
  SEGMENT_NAMES,
  type SegmentName,
  type SegmentRegister,
  type TableRegister,
} from './state/segment.js';
export { FXSAVE_AREA_BYTES, X86CpuState, XSAVE_AREA_BYTES } from './state/x86-cpu-state.js';
export { createX86Arch, x86Arch } from './x86-arch.js';
