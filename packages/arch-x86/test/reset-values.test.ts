import { describe, expect, it } from 'vitest';
import { DEFAULT_CPU_MODEL, processorSignature } from '../src/state/cpu-model.js';
import { Msr } from '../src/state/msr.js';
import { Gpr, MpState } from '../src/state/registers.js';
import { applyInitValues, applyPowerOnValues } from '../src/state/reset-values.js';
import { X86CpuState } from '../src/state/x86-cpu-state.js';

/** Values from the Intel SDM Vol. 3A, Table 10-1 "IA-32 and Intel 64 Processor States Following Power-up, Reset, or INIT". */
describe('power-on state (SDM Table 10-1)', () => {
  const s = new X86CpuState();
  s.cr0 = 0; // make sure the values come from applyPowerOnValues, not the constructor
  applyPowerOnValues(s, 0);

  it('EFLAGS = 00000002H', () => expect(s.rflags).toBe(0x2));
  it('EIP = 0000FFF0H', () => expect(s.rip).toBe(0xfff0n));
  it('CR0 = 60000010H', () => expect(s.cr0 >>> 0).toBe(0x60000010));
  it('CR2, CR3, CR4 = 0', () => expect([s.cr2, s.cr3, s.cr4]).toEqual([0n, 0, 0]));
  it('CS selector F000H, base FFFF0000H, limit FFFFH, present, execute/read, accessed', () => {
    expect(s.cs).toMatchObject({
      selector: 0xf000,
      base: 0xffff0000,
      limit: 0xffff,
      present: true,
      s: true,
      type: 0xb,
    });
  });
  it('SS, DS, ES, FS, GS: selector 0, base 0, limit FFFFH, present, read/write, accessed', () => {
    for (const seg of [s.ss, s.ds, s.es, s.fs, s.gs]) {
      expect(seg).toMatchObject({ selector: 0, base: 0, limit: 0xffff, present: true, s: true, type: 0x3 });
    }
  });
  it('EDX = processor signature (000n06xxH for family 6)', () => {
    expect(s.gprLow[Gpr.RDX]).toBe(processorSignature(DEFAULT_CPU_MODEL));
    expect(processorSignature(DEFAULT_CPU_MODEL)).toBe(0x619);
  });
  it('EAX, EBX, ECX, ESI, EDI, EBP, ESP = 0', () => {
    for (const r of [Gpr.RAX, Gpr.RBX, Gpr.RCX, Gpr.RSI, Gpr.RDI, Gpr.RBP, Gpr.RSP])
      expect(s.getGpr64(r)).toBe(0n);
  });
  it('GDTR, IDTR: base 0, limit FFFFH', () => {
    expect(s.gdt).toEqual({ base: 0, baseHigh: 0, limit: 0xffff });
    expect(s.idt).toEqual({ base: 0, baseHigh: 0, limit: 0xffff });
  });
  it('LDTR, TR: selector 0, base 0, limit FFFFH, present', () => {
    expect(s.ldt).toMatchObject({ selector: 0, base: 0, limit: 0xffff, present: true, s: false, type: 2 });
    expect(s.tr).toMatchObject({ selector: 0, base: 0, limit: 0xffff, present: true, s: false, type: 3 });
  });
  it('DR0-DR3 = 0, DR6 = FFFF0FF0H, DR7 = 00000400H', () => {
    expect([...s.dr]).toEqual([0n, 0n, 0n, 0n]);
    expect(s.dr6).toBe(0xffff0ff0);
    expect(s.dr7).toBe(0x400);
  });
  it('x87 FPU control word = 0040H, status word 0, all registers empty', () => {
    expect(s.fpuControlWord).toBe(0x40);
    expect(s.fxsave[2] | (s.fxsave[3] << 8)).toBe(0);
    expect(s.fxsave[4]).toBe(0); // abridged tag word: 0 = every register empty
  });
  it('MXCSR = 1F80H', () => expect(s.mxcsr).toBe(0x1f80));
  it('EFER = 0 and XCR0 = 1 (x87 only)', () => {
    expect(s.efer).toBe(0);
    expect(s.xcr0).toBe(1n);
  });
  it('IA32_APIC_BASE = FEE00900H on the bootstrap processor (enabled, BSP), FEE00800H on others', () => {
    expect(s.apicBase).toBe(0xfee00900);
    const ap = new X86CpuState();
    applyPowerOnValues(ap, 1);
    expect(ap.apicBase).toBe(0xfee00800);
    expect(ap.mpState).toBe(MpState.Uninitialized);
  });
  it('PAT = 0007040600070406H, MTRRs disabled', () => {
    expect(s.msrs.get(Msr.IA32_PAT)).toBe(0x0007040600070406n);
    expect(s.msrs.get(Msr.IA32_MTRR_DEF_TYPE)).toBe(0n);
  });
  it('TSC is written as 1 at reset (KVM reads 0 as a hot-plugged vCPU)', () => expect(s.tsc).toBe(1n));
  it('the bootstrap processor is runnable and the A20 gate is open', () => {
    expect(s.mpState).toBe(MpState.Runnable);
    expect(s.a20Enabled).toBe(true);
  });
});

describe('INIT', () => {
  it('keeps x87/SSE state, MSRs, TSC and CR0.CD/NW, resets the rest', () => {
    const s = new X86CpuState();
    applyPowerOnValues(s, 0);
    s.fxsave[0] = 0x7f;
    s.tsc = 12345n;
    s.msrs.set(Msr.IA32_SYSENTER_CS, 8n);
    s.cr0 = 0x80000011; // PG | ET | PE, CD/NW clear
    s.gprLow[Gpr.RAX] = 5;
    s.eip = 0x1234;
    applyInitValues(s);
    expect(s.fxsave[0]).toBe(0x7f);
    expect(s.tsc).toBe(12345n);
    expect(s.msrs.get(Msr.IA32_SYSENTER_CS)).toBe(8n);
    expect(s.cr0 >>> 0).toBe(0x10);
    expect(s.gprLow[Gpr.RAX]).toBe(0);
    expect(s.eip).toBe(0xfff0);
  });
});
