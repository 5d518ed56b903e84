export {
  ConformanceFailure,
  type ConformanceOptions,
  type ConformanceScenario,
  conformanceScenarios,
  type GuestScenario,
} from './conformance.js';
