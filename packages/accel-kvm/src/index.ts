export { CPUID_ENTRY_WORDS, guestCpuid } from './cpuid.js';
export { KvmError } from './errors.js';
export { KvmAccelerator, type KvmAcceleratorOptions } from './kvm-accelerator.js';
export { KvmVm } from './kvm-vm.js';
export { type KvmAddon, loadAddon, type TraceEntry } from './native/addon.js';
export {
  EXPECTED_API_VERSION,
  hasHardwareVirtualization,
  type KvmProbeResult,
  type ProbeOptions,
  probeKvm,
  REQUIRED_CAPABILITIES,
} from './probe.js';
export {
  advertisedPvFeatures,
  KVM_CPUID_FEATURES,
  KVM_CPUID_SIGNATURE,
  KvmPvFeature,
  type KvmPvFeatureName,
  OFFERED_PV_FEATURES,
  offeredPvFeatureMask,
  PV_FEATURE_MSRS,
} from './pv-features.js';
export {
  compareTrace,
  type ExpectedIoctl,
  expectedIoctls,
  observedIoctls,
  type TraceOptions,
} from './state/plan-trace.js';
export { KvmVcpu } from './vcpu/kvm-vcpu.js';
