export { WritebackLevel, writebackLevelName } from './writeback-level.js';
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
export { GuestMemory, MemoryMapError, type MemoryAllocator, type MemoryMapListener } from './memory/guest-memory.js';
export {
  PAGE_SIZE,
  describeRegion,
  regionEnd,
  type MemoryRegion,
  type MemoryRegionKind,
  type MmioHandler,
} from './memory/memory-region.js';
export { IoPortBus, IoPortError, type IoPortHandler, type UnassignedAccessObserver } from './io/io-port-bus.js';
export { ResetRegistry, type ResetHandler } from './machine/reset-registry.js';
export { Vcpu } from './machine/vcpu.js';
export type { ArchSupport } from './machine/arch-support.js';
export { VirtualClock, hostNowNs, type TimerHandle } from './machine/virtual-clock.js';
export { Machine, type MachineOptions, type MachinePhase, type MachineStop } from './machine/machine.js';
export { crc32 } from './snapshot/crc32.js';
export { SnapshotError, type SnapshotErrorKind } from './snapshot/snapshot-error.js';
export {
  ByteReader,
  ByteWriter,
  decodeRecord,
  encodeRecord,
  type FieldValue,
  type StateRecord,
} from './snapshot/state-record.js';
export { RecordFields } from './snapshot/record-fields.js';
export {
  checkSectionVersion,
  recordSection,
  type RecordSectionSpec,
  type SnapshotSection,
} from './snapshot/snapshot-section.js';
export {
  SNAPSHOT_FORMAT_VERSION,
  SNAPSHOT_MAGIC,
  decodeSnapshot,
  encodeSnapshot,
  type DecodedSnapshot,
  type SnapshotMetadata,
  type SnapshotSectionData,
} from './snapshot/snapshot-container.js';
