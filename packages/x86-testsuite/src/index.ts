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
export { FORMS, randomInstruction, SCRATCH } from './random/instruction-table.js';
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
  describeStop,
  EXIT_PORT,
  type GuestRun,
  RESULT_PORT,
  runGuestOnAccelerator,
} from './run/run-on-accelerator.js';
export * as undefinedFlags from './sdm/undefined-flags.js';
