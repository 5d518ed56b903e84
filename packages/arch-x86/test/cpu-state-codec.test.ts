import { decodeRecord, encodeRecord, Machine, RecordFields, SnapshotError } from '@tsvm/core';
import { describe, expect, it } from 'vitest';
import { CPU_STATE_VERSION, prepareCpuStateLoad, saveCpuState } from '../src/snapshot/cpu-state-codec.js';
import { Msr } from '../src/state/msr.js';
import { applyPowerOnValues } from '../src/state/reset-values.js';
import { X86CpuState } from '../src/state/x86-cpu-state.js';
import { x86Arch } from '../src/x86-arch.js';

/** A state with a distinct, non-default value in every field. */
function busyState(): X86CpuState {
  const s = new X86CpuState();
  applyPowerOnValues(s, 0);
  for (let i = 0; i < 16; i++)
    s.setGpr64(i, 0x1111_0000_0000_0000n * BigInt(i % 15) + BigInt(i) * 0x01010101n + 0x80000000n);
  s.rip = 0xffff_ffff_8000_1234n;
  s.rflags = 0x246;
  s.fs = {
    ...s.fs,
    selector: 0x33,
    base: 0xdead0000,
    baseHigh: 0x7fff,
    limit: 0xfffff,
    g: true,
    db: true,
    dpl: 3,
  };
  s.tr = { ...s.tr, selector: 0x28, base: 0x5000, limit: 0x67, type: 0xb };
  s.gdt = { base: 0x10000, baseHigh: 1, limit: 0x37 };
  s.cr0 = 0x80050033;
  s.cr2 = 0xffff_8000_0000_1000n;
  s.cr3 = 0x1_2345_6000;
  s.cr4 = 0x6a0;
  s.cr8 = 0xf;
  s.efer = 0xd01;
  for (let i = 0; i < s.xsave.length; i++) s.xsave[i] = (i * 7) & 0xff;
  s.xcr0 = 7n;
  s.dr.set([1n, 2n, 3n, 0xffff_ffff_ffff_fff0n]);
  s.dr6 = 0xffff4ff1;
  s.dr7 = 0x401;
  s.tsc = 0xffff_ffff_ffff_fffen;
  s.tscFrequencyKhz = 2_400_000;
  s.msrs.set(Msr.LSTAR, 0xffff_ffff_8100_0000n);
  s.msrs.set(Msr.IA32_TSC_DEADLINE, 99n);
  s.mpState = 3;
  s.events.exception = {
    injected: true,
    pending: false,
    vector: 14,
    hasErrorCode: true,
    errorCode: 0xfffffff2,
  };
  s.events.interrupt = { injected: true, vector: 0x20, soft: false, shadow: 1 };
  s.events.nmi = { injected: false, pending: true, masked: true };
  s.events.sipiVector = 0x9a;
  s.a20Enabled = false;
  return s;
}

function roundTrip(from: X86CpuState): X86CpuState {
  const bytes = encodeRecord(saveCpuState(from));
  const to = new X86CpuState();
  prepareCpuStateLoad(to, new RecordFields(decodeRecord(bytes, 'cpu/0'), 'cpu/0'), CPU_STATE_VERSION)();
  return to;
}

describe('CPU-state codec', () => {
  it('round-trips every field bit-exactly', () => {
    const a = busyState();
    const b = roundTrip(a);
    expect(saveCpuState(b)).toEqual(saveCpuState(a));
    expect(b.xsave).toEqual(a.xsave);
    expect(b.getGpr64(7)).toBe(a.getGpr64(7));
    expect(b.rip).toBe(0xffff_ffff_8000_1234n);
  });

  it('stores named fields, not positional arrays', () => {
    const record = saveCpuState(busyState());
    expect(Object.keys(record.gpr as object)).toContain('rsp');
    expect(Object.keys(record.segments as object)).toEqual(['es', 'cs', 'ss', 'ds', 'fs', 'gs', 'ldt', 'tr']);
  });

  it('refuses a malformed field and changes nothing', () => {
    const target = busyState();
    const before = saveCpuState(target);
    const record = { ...saveCpuState(new X86CpuState()), cr8: 99 };
    const fields = new RecordFields(decodeRecord(encodeRecord(record), 'cpu/0'), 'cpu/0');
    expect(() => prepareCpuStateLoad(target, fields, CPU_STATE_VERSION)).toThrow(
      "cpu/0: field 'cr8' = 99 is not a 4-bit unsigned integer",
    );
    expect(saveCpuState(target)).toEqual(before);
  });

  it('refuses an xsave area of the wrong size', () => {
    const record = { ...saveCpuState(new X86CpuState()), xsave: new Uint8Array(512) };
    const fields = new RecordFields(decodeRecord(encodeRecord(record), 'cpu/0'), 'cpu/0');
    expect(() => prepareCpuStateLoad(new X86CpuState(), fields, CPU_STATE_VERSION)).toThrow(
      "cpu/0: field 'xsave' has 512 bytes, expected 4096",
    );
  });

  it('survives a machine save/load with an accelerator that keeps no copy', async () => {
    const accel = {
      name: 'none',
      probe: () => ({ available: true, reason: 'test' }),
      createVm: () => ({ createVcpu: () => ({ run: () => ({ kind: 'yield' as const }) }) }),
    };
    const m1 = await Machine.create({ arch: x86Arch, accelerator: accel });
    m1.memory.addRam('ram', 0, 1 << 20);
    Object.assign(m1.vcpus[0].state, busyState());
    const busy = busyState();
    m1.vcpus[0].state.xsave.set(busy.xsave);
    const snapshot = m1.save();
    const m2 = await Machine.create({ arch: x86Arch, accelerator: accel });
    m2.memory.addRam('ram', 0, 1 << 20);
    m2.load(snapshot);
    expect(saveCpuState(m2.vcpus[0].state)).toEqual(saveCpuState(m1.vcpus[0].state));
    expect(() => m2.load(snapshot.subarray(0, 100))).toThrow(SnapshotError);
  });
});
