/** Identity of the modelled processor: what CPUID leaf 1 reports and EDX holds after reset. */
export interface X86CpuModel {
  /** 12-character vendor string from CPUID leaf 0. */
  readonly vendor: string;
  readonly family: number;
  readonly model: number;
  readonly stepping: number;
}

/** A Pentium Pro–class i686 (family 6), the generation the TS executor implements. */
export const DEFAULT_CPU_MODEL: X86CpuModel = { vendor: 'GenuineIntel', family: 6, model: 1, stepping: 9 };

/** The processor signature (CPUID.1:EAX layout): stepping, model, family, extended fields. */
export function processorSignature(m: X86CpuModel): number {
  const family = Math.min(m.family, 0xf);
  const extFamily = m.family > 0xf ? m.family - 0xf : 0;
  const model = m.model & 0xf;
  const extModel = m.model >> 4;
  return ((extFamily << 20) | (extModel << 16) | (family << 8) | (model << 4) | (m.stepping & 0xf)) >>> 0;
}
