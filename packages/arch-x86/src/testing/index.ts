export { paintNonTrivialFpuState } from './fpu-fixtures.js';
export { GUEST_IMAGES } from './guest-images.js';
export {
  CONFORMANCE_EXIT_PORT,
  CONFORMANCE_OUTPUT_PORT,
  setUpConformanceGuest,
  x86GuestScenarios,
} from './x86-guest-scenarios.js';
