/**
 * The KVM paravirtual features tsvm offers a guest: the ONE place that decides what CPUID leaf
 * 0x40000001 (EAX feature bits, EDX hints) says. KVM_GET_SUPPORTED_CPUID reports what the
 * kernel can do; a feature is offered only when the VMM and its snapshots back it too, because
 * a guest that sees a bit will enable it (and may get #GP, or lose its state across a snapshot).
 *
 * Offered:
 *  - NOP_IO_DELAY — a hint that port-0x80 I/O delays are unnecessary; no state, no MSR.
 * Withheld (bit → why):
 *  - CLOCKSOURCE / CLOCKSOURCE2 / CLOCKSOURCE_STABLE_BIT — kvmclock: its MSRs are in the CPU
 *    state, but the VM-wide kvmclock (KVM_GET_CLOCK/KVM_SET_CLOCK) is not saved in snapshots, so
 *    a restored guest's clock would jump backwards; the legacy MSRs are not in the state at all.
 *  - ASYNC_PF, ASYNC_PF_VMEXIT, ASYNC_PF_INT — async page faults: MSRs not in the CPU state, and
 *    ASYNC_PF_INT needs an in-kernel LAPIC (tsvm's APIC is the board's): enabling it is #GP(0).
 *  - STEAL_TIME, PV_TLB_FLUSH — steal-time area MSR not in the state (PV_TLB_FLUSH depends on it).
 *  - PV_EOI, PV_UNHALT, PV_SEND_IPI, PV_SCHED_YIELD, MSI_EXT_DEST_ID — need KVM's in-kernel APIC.
 *  - POLL_CONTROL, MIGRATION_CONTROL — MSRs not in the state.
 *  - MMU_OP — removed from KVM long ago.
 *  - HC_MAP_GPA_RANGE — a hypercall the VMM would have to handle (KVM_EXIT_HYPERCALL).
 *  - every EDX hint (REALTIME): tsvm promises nothing about host scheduling.
 */

/** Bit numbers of CPUID 0x40000001 EAX (Linux `Documentation/virt/kvm/x86/cpuid.rst`). */
export const KvmPvFeature = {
  ClockSource: 0,
  NopIoDelay: 1,
  MmuOp: 2,
  ClockSource2: 3,
  AsyncPf: 4,
  StealTime: 5,
  PvEoi: 6,
  PvUnhalt: 7,
  PvTlbFlush: 9,
  AsyncPfVmexit: 10,
  PvSendIpi: 11,
  PollControl: 12,
  PvSchedYield: 13,
  AsyncPfInt: 14,
  MsiExtDestId: 15,
  HcMapGpaRange: 16,
  MigrationControl: 17,
  ClockSourceStableBit: 24,
} as const;
export type KvmPvFeatureName = keyof typeof KvmPvFeature;

/** The MSRs a guest writes to turn each MSR-backed feature on. */
export const PV_FEATURE_MSRS: Readonly<Partial<Record<KvmPvFeatureName, readonly number[]>>> = {
  ClockSource: [0x11, 0x12],
  ClockSource2: [0x4b564d00, 0x4b564d01],
  AsyncPf: [0x4b564d02],
  StealTime: [0x4b564d03],
  PvEoi: [0x4b564d04],
  PollControl: [0x4b564d05],
  AsyncPfInt: [0x4b564d06, 0x4b564d07],
  MigrationControl: [0x4b564d08],
};

/** What tsvm offers (see above for why everything else is withheld). */
export const OFFERED_PV_FEATURES: readonly KvmPvFeatureName[] = ['NopIoDelay'];

export const KVM_CPUID_SIGNATURE = 0x40000000;
export const KVM_CPUID_FEATURES = 0x40000001;

/** CPUID 0x40000001 EAX bits tsvm allows through (those KVM also supports stay set). */
export function offeredPvFeatureMask(): number {
  let mask = 0;
  for (const name of OFFERED_PV_FEATURES) mask |= 1 << KvmPvFeature[name];
  return mask >>> 0;
}

/** The features whose bits are set in a leaf-0x40000001 EAX value. */
export function advertisedPvFeatures(eax: number): KvmPvFeatureName[] {
  return (Object.keys(KvmPvFeature) as KvmPvFeatureName[]).filter((n) => (eax >>> KvmPvFeature[n]) & 1);
}
