export {
  compareGuestOutput,
  type LineComparison,
  type LineDivergence,
} from './differential/compare-lines.js';
export {
  type DifferentialOptions,
  type DifferentialResult,
  expectMatchesReference,
  GUEST_DONE_STATUS,
  type GuestReference,
  qemuStatusFor,
  runDifferential,
} from './differential/run-differential.js';
export {
  CPU_TEST_GUEST_NAMES,
  type CpuTestGuest,
  checkFixtureMatchesImage,
  cpuTestGuest,
  cpuTestGuests,
  guestImage,
} from './guests/catalog.js';
export { type CompareRule, compareRuleFor } from './guests/compare-rules.js';
export { lineDifferences, parseResultLine, type ResultLine } from './guests/result-lines.js';
export {
  liveQemuReference,
  ROM_GUEST_QEMU,
  type RomGuest,
  RomGuestDirectory,
} from './guests/rom-guest-directory.js';
export { romGuestMismatch, runRomGuest } from './guests/run-rom-guest.js';
export {
  type DumpFixture,
  fnv1a,
  formatDumpFixture,
  groupDumps,
  parseDumpFixture,
  readDumpFixture,
} from './random/dump/dump-fixture.js';
export { type OpcodeChoice, type OpcodeTableEntry, opcodeChoices } from './random/dump/opcode-choices.js';
export {
  DUMP_SCRATCH,
  describeTableSequence,
  type GeneratedInsn,
  opcodeTableProgram,
  type TableSequence,
} from './random/dump/opcode-table-program.js';
export {
  buildDumpRom,
  type DumpRandomOptions,
  type DumpRandomResult,
  runDumpRandom,
} from './random/dump/run-dump-random.js';
export {
  describeX87Sequence,
  generateX87Program,
  X87_SPECS,
  type X87Insn,
  type X87Sequence,
} from './random/dump/x87-program.js';
export { FORMS, randomInstruction, SCRATCH } from './random/instruction-table.js';
export { Mulberry32 } from './random/mulberry32.js';
export { Prng } from './random/prng.js';
export {
  buildRandomImages,
  type CodeMode,
  DEFAULT_RANDOM_COUNT,
  DEFAULT_RANDOM_SEED,
  DEFAULT_RANDOM16_COUNT,
  generateSequences,
  type RandomDifferentialOptions,
  type RandomDifferentialResult,
  type RandomDivergence,
  runRandomDifferential,
} from './random/run-random.js';
export { formatSequence, generateSequence, type RandomSequence } from './random/sequence.js';
export type { Step } from './random/step.js';
export { parseRecord, RECORD_BYTES, recordCrcs, type TraceRecord } from './random/trace-records.js';
export {
  decodeRandomFixture,
  encodeRandomFixture,
  parseOverrides,
  type RandomCrcFixture,
  type SdmOverride,
} from './reference/fixtures.js';
export { type QemuRun, qemuAvailability, runUnderQemu } from './reference/qemu.js';
export {
  type AcceleratorSource,
  createGuestMachine,
  EXIT_PORT,
  type GuestMachine,
  type GuestMachineOptions,
  RESULT_PORT,
} from './run/guest-machine.js';
export { describeStop, type GuestRun, runGuestOnAccelerator } from './run/run-on-accelerator.js';
export * as undefinedFlags from './sdm/undefined-flags.js';
export {
  describeTranscriptDivergence,
  firstTranscriptDivergence,
  type TranscriptDivergence,
} from './transcript/first-divergence.js';
export { locateInListing } from './transcript/nasm-listing.js';
