/** Words per `struct kvm_cpuid_entry2`: function, index, flags, eax, ebx, ecx, edx, padding[3]. */
export const CPUID_ENTRY_WORDS = 10;

const ECX = 5;
const LEAF1_X2APIC = 1 << 21;
const LEAF1_TSC_DEADLINE = 1 << 24;
const LEAF1_HYPERVISOR = 1 << 31;

/**
 * The CPUID table given to every vCPU, derived from KVM_GET_SUPPORTED_CPUID:
 *  - leaf 1 ECX: x2APIC and TSC-deadline cleared unless an in-kernel LAPIC exists (without it
 *    there is nothing to implement them), the hypervisor bit set (the guest runs under a VMM);
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
  }
  return table;
}
