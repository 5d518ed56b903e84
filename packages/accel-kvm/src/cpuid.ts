import { KVM_CPUID_FEATURES, offeredPvFeatureMask } from './pv-features.js';

/** Words per `struct kvm_cpuid_entry2`: function, index, flags, eax, ebx, ecx, edx, padding[3]. */
export const CPUID_ENTRY_WORDS = 10;

const EAX = 3;
const ECX = 5;
const EDX = 6;
const LEAF1_X2APIC = 1 << 21;
const LEAF1_TSC_DEADLINE = 1 << 24;
const LEAF1_HYPERVISOR = 1 << 31;

/**
 * The CPUID table given to every vCPU, derived from KVM_GET_SUPPORTED_CPUID:
 *  - leaf 1 ECX: x2APIC and TSC-deadline cleared unless an in-kernel LAPIC exists (without it
 *    there is nothing to implement them), the hypervisor bit set (the guest runs under a VMM);
 *  - leaf 0x40000001 (KVM paravirtual features): only what `pv-features.ts` offers, no hints;
 *  - everything else as KVM reports it (host vendor, family, features KVM can virtualise).
 * Set once per vCPU, before any other vCPU ioctl (KVM ordering rule).
 */
export function guestCpuid(supported: Uint32Array, options: { inKernelLapic: boolean }): Uint32Array {
  const table = supported.slice();
  for (let at = 0; at < table.length; at += CPUID_ENTRY_WORDS) {
    if (table[at] === 1 && table[at + 1] === 0) {
      let ecx = table[at + ECX] | LEAF1_HYPERVISOR;
      if (!options.inKernelLapic) ecx &= ~(LEAF1_X2APIC | LEAF1_TSC_DEADLINE);
      table[at + ECX] = ecx >>> 0;
    }
    if (table[at] === KVM_CPUID_FEATURES) {
      table[at + EAX] = (table[at + EAX] & offeredPvFeatureMask()) >>> 0;
      table[at + EDX] = 0;
    }
  }
  return table;
}
