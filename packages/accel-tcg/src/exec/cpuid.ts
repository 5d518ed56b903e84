import { DEFAULT_CPU_MODEL, processorSignature, type X86CpuModel } from '@tsvm/arch-x86';

/**
 * The CPUID leaves the executor reports: a Pentium Pro–class i686 that claims only what this
 * executor implements: the x87 FPU, MMX and FXSAVE/FXRSTOR; no SSE, no long mode.
 */
export const CPUID_FEATURES_EDX =
  (1 << 0) | // FPU: x87 on chip
  (1 << 2) | // DE: debug extensions (CR4.DE)
  (1 << 3) | // PSE: 4 MiB pages
  (1 << 4) | // TSC
  (1 << 5) | // MSR: RDMSR/WRMSR
  (1 << 6) | // PAE
  (1 << 8) | // CX8: CMPXCHG8B
  (1 << 11) | // SEP: SYSENTER/SYSEXIT
  (1 << 12) | // MTRR (registers kept, no effect on an emulator)
  (1 << 13) | // PGE (global bit accepted; the TLB flushes everything on CR3 loads)
  (1 << 15) | // CMOV
  (1 << 16) | // PAT
  (1 << 23) | // MMX
  (1 << 24); // FXSR: FXSAVE/FXRSTOR

/**
 * CPUID.1:ECX: only the hypervisor-present bit, which the SDM reserves for exactly this (guests
 * then know their performance counters and timing are virtual: Linux reports "PMU not
 * available due to virtualization" instead of broken hardware).
 */
export const CPUID_FEATURES_ECX = 1 << 31; // HYPERVISOR

export function cpuid(
  leaf: number,
  _subleaf: number,
  model: X86CpuModel = DEFAULT_CPU_MODEL,
): [number, number, number, number] {
  const v = model.vendor.padEnd(12, ' ');
  const word = (k: number) =>
    (v.charCodeAt(k) |
      (v.charCodeAt(k + 1) << 8) |
      (v.charCodeAt(k + 2) << 16) |
      (v.charCodeAt(k + 3) << 24)) >>>
    0;
  switch (leaf >>> 0) {
    case 0:
      return [2, word(0), word(8), word(4)];
    case 1:
      return [processorSignature(model), 0, CPUID_FEATURES_ECX >>> 0, CPUID_FEATURES_EDX >>> 0];
    case 2:
      // Cache descriptors: "no further information" style (0x01 in AL: one iteration).
      return [1, 0, 0, 0];
    default:
      // Above the highest basic leaf, Intel CPUs return the highest leaf's data.
      return leaf >>> 0 >= 0x80000000 ? [0, 0, 0, 0] : [1, 0, 0, 0];
  }
}
