export type {
  Accelerator,
  AcceleratorVcpu,
  AcceleratorVm,
  InterruptLines,
  ProbeResult,
  RunLimits,
  VcpuBinding,
  VcpuExit,
  VmOptions,
} from './accelerator.js';
export {
  type DebugExit,
  type GuestBreakpoint,
  type GuestBreakpointKind,
  type GuestDebugCapability,
  type GuestDebugRequest,
  type GuestDebugSupport,
  guestDebugProblem,
} from './guest-debug.js';
export {
  IoPortBus,
  IoPortError,
  type IoPortHandler,
  type UnassignedAccessObserver,
} from './io/io-port-bus.js';
export type { ArchSupport } from './machine/arch-support.js';
export {
  InstructionPacer,
  MAX_NS_PER_INSTRUCTION,
  MIN_NS_PER_INSTRUCTION,
} from './machine/instruction-pacer.js';
export { InstructionTime } from './machine/instruction-time.js';
export {
  type ClockSource,
  Machine,
  type MachineOptions,
  type MachinePhase,
  type MachineStop,
} from './machine/machine.js';
export { type ResetHandler, ResetRegistry } from './machine/reset-registry.js';
export { Vcpu } from './machine/vcpu.js';
export { hostNowNs, type TimerHandle, VirtualClock } from './machine/virtual-clock.js';
export {
  GuestMemory,
  type MemoryAllocator,
  MemoryMapError,
  type MemoryMapListener,
} from './memory/guest-memory.js';
export {
  describeRegion,
  type MemoryRegion,
  type MemoryRegionKind,
  type MmioHandler,
  PAGE_SIZE,
  regionEnd,
} from './memory/memory-region.js';
export { crc32 } from './snapshot/crc32.js';
export { RecordFields } from './snapshot/record-fields.js';
export {
  type DecodedSnapshot,
  decodeSnapshot,
  encodeSnapshot,
  SNAPSHOT_FORMAT_VERSION,
  SNAPSHOT_MAGIC,
  type SnapshotMetadata,
  type SnapshotSectionData,
} from './snapshot/snapshot-container.js';
export { SnapshotError, type SnapshotErrorKind } from './snapshot/snapshot-error.js';
export {
  checkSectionVersion,
  type RecordSectionSpec,
  recordSection,
  type SnapshotSection,
} from './snapshot/snapshot-section.js';
export {
  ByteReader,
  ByteWriter,
  decodeRecord,
  encodeRecord,
  type FieldValue,
  type StateRecord,
} from './snapshot/state-record.js';
export { WritebackLevel, writebackLevelName } from './writeback-level.js';
