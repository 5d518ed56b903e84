import { RESET_MSRS, RUNTIME_MSRS } from '@tsvm/arch-x86';
import { afterEach, describe, expect, test } from 'vitest';
import {
  advertisedPvFeatures,
  CPUID_ENTRY_WORDS,
  guestCpuid,
  KVM_CPUID_FEATURES,
  KVM_CPUID_SIGNATURE,
  KvmPvFeature,
  loadAddon,
  OFFERED_PV_FEATURES,
  offeredPvFeatureMask,
  PV_FEATURE_MSRS,
} from '../src/index.js';
import { createBoard, GUEST_BASE, kvmUnusableReason, runToEnd, type TestBoard } from './helpers.js';

// Issue 10 §5: the KVM paravirtual CPUID leaf offers only what tsvm backs.

function entry(fn: number, eax: number, edx = 0): number[] {
  return [fn, 0, 0, eax, 0x4b4d564b, 0x564b4d56, edx, 0, 0, 0];
}

function leaf(table: Uint32Array, fn: number): Uint32Array | undefined {
  for (let at = 0; at < table.length; at += CPUID_ENTRY_WORDS)
    if (table[at] === fn) return table.subarray(at, at + CPUID_ENTRY_WORDS);
  return undefined;
}

describe('KVM paravirtual features (CPUID 0x40000001)', () => {
  test('only the offered features survive from what KVM supports; hints are cleared', () => {
    // Every feature bit KVM could report, ASYNC_PF_INT (bit 14) among them, and the REALTIME hint.
    const supported = Uint32Array.from([
      ...entry(0, 0xd),
      ...entry(KVM_CPUID_SIGNATURE, KVM_CPUID_FEATURES),
      ...entry(KVM_CPUID_FEATURES, 0x0103ffff, 1),
    ]);
    const table = guestCpuid(supported, { inKernelLapic: false });
    const eax = leaf(table, KVM_CPUID_FEATURES)![3];
    expect(eax).toBe(offeredPvFeatureMask());
    expect(advertisedPvFeatures(eax)).toEqual(['NopIoDelay']);
    expect(eax & (1 << KvmPvFeature.AsyncPfInt)).toBe(0);
    expect(eax & (1 << KvmPvFeature.ClockSource2)).toBe(0);
    expect(leaf(table, KVM_CPUID_FEATURES)![6]).toBe(0);
    // The signature leaf is untouched, and nothing is offered that KVM does not support.
    expect(leaf(table, KVM_CPUID_SIGNATURE)).toEqual(leaf(supported, KVM_CPUID_SIGNATURE));
    const none = guestCpuid(Uint32Array.from(entry(KVM_CPUID_FEATURES, 0)), { inKernelLapic: false });
    expect(none[3]).toBe(0);
  });

  test("every offered feature's MSRs are part of the CPU state that snapshots and resets carry", () => {
    const carried = new Set([...RESET_MSRS, ...RUNTIME_MSRS]);
    for (const name of OFFERED_PV_FEATURES)
      for (const msr of PV_FEATURE_MSRS[name] ?? [])
        expect(carried.has(msr), `${name} MSR ${msr}`).toBe(true);
  });
});

const skip = kvmUnusableReason();

describe.skipIf(skip !== undefined)('KVM paravirtual features on /dev/kvm', () => {
  let board: TestBoard | undefined;
  afterEach(() => board?.machine.close());

  test("the guest sees only offered features, and can write every advertised feature's MSRs", async () => {
    const addon = loadAddon();
    const system = addon.openSystem('/dev/kvm');
    let expected: number;
    try {
      const table = guestCpuid(addon.getSupportedCpuid(system), { inKernelLapic: false });
      expected = leaf(table, KVM_CPUID_FEATURES)?.[3] ?? 0;
    } finally {
      addon.close(system);
    }
    expect(expected & ~offeredPvFeatureMask()).toBe(0);
    const msrs = advertisedPvFeatures(expected).flatMap((n) => PV_FEATURE_MSRS[n] ?? []);
    // Real mode at 0x8000: CPUID 0x40000001 → report port, WRMSR (value 0) to each MSR, exit 0x15.
    const code: number[] = [0x66, 0xb8, 0x01, 0x00, 0x00, 0x40, 0x66, 0x31, 0xc9, 0x0f, 0xa2];
    code.push(0x66, 0xe7, 0xf3);
    for (const msr of msrs) {
      code.push(0x66, 0xb9, msr & 0xff, (msr >> 8) & 0xff, (msr >> 16) & 0xff, msr >>> 24);
      code.push(0x66, 0x31, 0xc0, 0x66, 0x31, 0xd2, 0x0f, 0x30);
    }
    code.push(0xb0, 0x15, 0xe6, 0xf4, 0xf4);
    board = await createBoard(undefined);
    board.machine.memory.load(GUEST_BASE, Uint8Array.from(code));
    // A #GP from WRMSR has no handler in real mode here: the run would not reach the exit.
    expect(await runToEnd(board)).toEqual({ reason: 'exit', status: 0x2b });
    expect(board.reports).toEqual([expected]);
  });
});
