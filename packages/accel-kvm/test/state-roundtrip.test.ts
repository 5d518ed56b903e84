import { Msr, makeSegment, X86CpuState } from '@tsvm/arch-x86';
import { describe, expect, test } from 'vitest';
import { loadAddon } from '../src/native/addon.js';
import { createBoard, kvmUnusableReason } from './helpers.js';

const skip = kvmUnusableReason();

/** Distinctive values in (nearly) every field KVM keeps, all legal for a real-mode vCPU. */
function paint(s: X86CpuState): void {
  for (let i = 0; i < 16; i++) s.setGpr64(i, 0x1111_0000_0000_0000n * BigInt(i % 15) + BigInt(0x100 + i));
  s.rip = 0x1234n;
  s.rflags = 0x2 | 0x1 | 0x40 | 0x800; // CF ZF OF
  s.ds = makeSegment({ selector: 0x1000, base: 0x10000, type: 0x3 });
  s.es = makeSegment({ selector: 0x2000, base: 0x20000, type: 0x3 });
  s.fs = makeSegment({ selector: 0x3000, base: 0x30000, type: 0x3 });
  s.gdt = { base: 0x5000, baseHigh: 0, limit: 0x27 };
  s.idt = { base: 0x6000, baseHigh: 0, limit: 0x3ff };
  s.cr2 = 0xdead_b000n;
  s.dr[0] = 0x1000n;
  s.dr[1] = 0x2000n;
  s.dr[2] = 0x3000n;
  s.dr[3] = 0x4000n;
  s.dr7 = 0x400 | 0x1; // L0
  s.msrs.set(Msr.IA32_SYSENTER_CS, 0x10n);
  s.msrs.set(Msr.IA32_SYSENTER_ESP, 0x7000n);
  s.msrs.set(Msr.IA32_SYSENTER_EIP, 0x8000n);
  s.msrs.set(Msr.STAR, 0x0023_0010_0000_0000n);
  s.msrs.set(Msr.LSTAR, 0xffff_8000_0000_1000n);
  s.msrs.set(Msr.CSTAR, 0xffff_8000_0000_2000n);
  s.msrs.set(Msr.FMASK, 0x4700n);
  s.msrs.set(Msr.KERNEL_GS_BASE, 0xffff_8000_1234_0000n);
  s.msrs.set(Msr.IA32_PAT, 0x0007_0406_0007_0406n);
  s.tsc = 123_456_789n;
  const x = new DataView(s.xsave.buffer);
  x.setUint16(0, 0x037f, true); // FCW
  x.setUint32(24, 0x1f80 | 0x8000, true); // MXCSR with flush-to-zero
  for (let i = 0; i < 16; i++) s.xsave[160 + i] = 0xa0 + i; // XMM0
  s.events.nmi.masked = true;
  s.events.interrupt.shadow = 1;
}

describe.skipIf(skip !== undefined)('state marshalling round trip through KVM', () => {
  test('every painted field written at Full reads back identically', async () => {
    const board = await createBoard('real');
    try {
      const vcpu = board.machine.vcpus[0];
      paint(vcpu.state);
      board.machine.start(); // writeState(Full)
      const expected = new X86CpuState();
      paint(expected);
      // Scramble the canonical copy, then read KVM's back into it.
      const state = vcpu.state;
      for (let i = 0; i < 16; i++) state.setGpr64(i, 0n);
      state.rip = 0n;
      state.xsave.fill(0);
      state.msrs.clear();
      state.dr.fill(0n);
      state.events.nmi.masked = false;
      vcpu.synchronizeState();
      for (let i = 0; i < 16; i++) expect(state.getGpr64(i), `GPR ${i}`).toBe(expected.getGpr64(i));
      expect(state.rip).toBe(0x1234n);
      expect(state.rflags).toBe(expected.rflags);
      for (const seg of ['ds', 'es', 'fs'] as const) {
        expect({ sel: state[seg].selector, base: state[seg].base }).toEqual({
          sel: expected[seg].selector,
          base: expected[seg].base,
        });
      }
      expect(state.gdt).toEqual(expected.gdt);
      expect(state.idt).toEqual(expected.idt);
      expect(state.cr2).toBe(expected.cr2);
      expect([...state.dr]).toEqual([...expected.dr]);
      expect(state.dr7).toBe(expected.dr7);
      for (const [index, value] of expected.msrs) {
        if (index === Msr.IA32_TSC_DEADLINE || index === Msr.IA32_FEATURE_CONTROL) continue;
        expect(state.msrs.get(index), `MSR 0x${index.toString(16)}`).toBe(value);
      }
      // IA32_TSC is read back, but not compared: on software KVM (kvm_pvm) host writes to it are
      // seen not to take effect, so the value read is the running TSC, not the one written.
      expect(state.tsc).toBeGreaterThan(0n);
      expect(state.fpuControlWord).toBe(0x037f);
      expect(state.mxcsr).toBe(0x9f80);
      expect([...state.xsave.subarray(160, 176)]).toEqual([...expected.xsave.subarray(160, 176)]);
      expect(state.events.nmi.masked).toBe(true);
      expect(state.xcr0 & 1n).toBe(1n);
    } finally {
      board.machine.close();
    }
  });

  test('the rest of the ioctl surface: MSR list, CPUID, FPU, in-kernel irqchip, PIT, IRQ line, LAPIC', () => {
    const addon = loadAddon();
    const sys = addon.openSystem('/dev/kvm');
    const vm = addon.createVm(sys);
    try {
      const msrs = [...addon.getMsrIndexList(sys)];
      expect(msrs).toContain(Msr.IA32_TSC);
      expect(msrs).toContain(Msr.IA32_SYSENTER_CS);
      const cpuid = addon.getSupportedCpuid(sys);
      expect(cpuid.length % 10).toBe(0);
      expect(cpuid[0]).toBe(0); // leaf 0 first
      addon.createIrqchip(vm);
      addon.createPit2(vm);
      addon.irqLine(vm, 4, true);
      addon.irqLine(vm, 4, false);
      const { handle } = addon.createVcpu(vm, 0, addon.getVcpuMmapSize(sys));
      expect(addon.getFpu(handle).length).toBe(addon.constants.SIZEOF_FPU);
      const lapic = addon.getLapic(handle);
      expect(lapic.length).toBe(1024);
      addon.setLapic(handle, lapic);
      addon.closeVcpu(handle);
    } finally {
      addon.close(vm);
      addon.close(sys);
    }
    const vm2 = addon.openSystem('/dev/kvm');
    const plainVm = addon.createVm(vm2);
    const { handle } = addon.createVcpu(plainVm, 0, addon.getVcpuMmapSize(vm2));
    try {
      expect(() => addon.getLapic(handle)).toThrow(/KVM_GET_LAPIC failed: E[A-Z]+ \(errno \d+/);
    } finally {
      addon.closeVcpu(handle);
      addon.close(plainVm);
      addon.close(vm2);
    }
  });
});
