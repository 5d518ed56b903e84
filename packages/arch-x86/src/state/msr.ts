/** Model-specific register indices used by the state, the plan and the executors. */
export const Msr = {
  IA32_TSC: 0x10,
  IA32_PLATFORM_ID: 0x17,
  IA32_APIC_BASE: 0x1b,
  IA32_FEATURE_CONTROL: 0x3a,
  IA32_TSC_ADJUST: 0x3b,
  IA32_SYSENTER_CS: 0x174,
  IA32_SYSENTER_ESP: 0x175,
  IA32_SYSENTER_EIP: 0x176,
  IA32_MISC_ENABLE: 0x1a0,
  IA32_MTRRCAP: 0xfe,
  IA32_MTRR_PHYSBASE0: 0x200,
  IA32_MTRR_FIX64K_00000: 0x250,
  IA32_MTRR_FIX16K_80000: 0x258,
  IA32_MTRR_FIX16K_A0000: 0x259,
  IA32_MTRR_FIX4K_C0000: 0x268,
  IA32_PAT: 0x277,
  IA32_MTRR_DEF_TYPE: 0x2ff,
  IA32_TSC_DEADLINE: 0x6e0,
  IA32_EFER: 0xc0000080,
  STAR: 0xc0000081,
  LSTAR: 0xc0000082,
  CSTAR: 0xc0000083,
  FMASK: 0xc0000084,
  FS_BASE: 0xc0000100,
  GS_BASE: 0xc0000101,
  KERNEL_GS_BASE: 0xc0000102,
  TSC_AUX: 0xc0000103,
  KVM_WALL_CLOCK_NEW: 0x4b564d00,
  KVM_SYSTEM_TIME_NEW: 0x4b564d01,
} as const;

/** The 8 variable-range MTRR pairs (base, mask) the model has. */
export const VARIABLE_MTRR_COUNT = 8;

/** Every MTRR index: default type, the 11 fixed-range registers, then the variable pairs. */
export const MTRR_MSRS: readonly number[] = [
  Msr.IA32_MTRR_DEF_TYPE,
  Msr.IA32_MTRR_FIX64K_00000,
  Msr.IA32_MTRR_FIX16K_80000,
  Msr.IA32_MTRR_FIX16K_A0000,
  ...Array.from({ length: 8 }, (_, i) => Msr.IA32_MTRR_FIX4K_C0000 + i),
  ...Array.from({ length: VARIABLE_MTRR_COUNT * 2 }, (_, i) => Msr.IA32_MTRR_PHYSBASE0 + i),
];

export function msrName(index: number): string {
  for (const [name, value] of Object.entries(Msr)) if (value === index) return name;
  if (index >= Msr.IA32_MTRR_PHYSBASE0 && index < Msr.IA32_MTRR_PHYSBASE0 + VARIABLE_MTRR_COUNT * 2) {
    const n = (index - Msr.IA32_MTRR_PHYSBASE0) >> 1;
    return `IA32_MTRR_PHYS${index & 1 ? 'MASK' : 'BASE'}${n}`;
  }
  if (index > Msr.IA32_MTRR_FIX4K_C0000 && index < Msr.IA32_MTRR_FIX4K_C0000 + 8)
    return `IA32_MTRR_FIX4K_${index.toString(16)}`;
  return `MSR 0x${index.toString(16)}`;
}
