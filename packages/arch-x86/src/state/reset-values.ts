import { DEFAULT_CPU_MODEL, processorSignature, type X86CpuModel } from './cpu-model.js';
import { makePendingEvents } from './events.js';
import { Msr, MTRR_MSRS } from './msr.js';
import { Gpr, MpState } from './registers.js';
import { makeSegment, type SegmentRegister } from './segment.js';
import type { X86CpuState } from './x86-cpu-state.js';

/** Default APIC base: 0xFEE00000 with the global-enable bit (11); bit 8 marks the bootstrap processor. */
export const APIC_BASE_ADDRESS = 0xfee00000;
const APIC_ENABLE = 1 << 11;
const APIC_BSP = 1 << 8;

/** PAT after reset (SDM Vol. 3 §13.12.4): WB, WT, UC-, UC repeated. */
export const PAT_RESET_VALUE = 0x0007040600070406n;

/**
 * TSC value written at reset. The SDM's is 0, but KVM treats a zero write as a hot-plugged
 * vCPU and re-synchronizes it with the others; 1 means "freshly reset".
 */
export const TSC_RESET_VALUE = 1n;

/** Data segment after reset: selector 0, base 0, limit FFFF, present, read/write, accessed. */
const resetDataSegment = (): SegmentRegister => makeSegment({ type: 0x3 });

/**
 * The register values INIT and power-on share (SDM Vol. 3 Table 10-1, "Power up" / "INIT").
 * Leaves x87/SSE state, MSRs, TSC and the A20 gate alone.
 */
export function applyInitValues(state: X86CpuState, options: { model?: X86CpuModel } = {}): void {
  state.gprLow.fill(0);
  state.gprHigh.fill(0);
  state.gprLow[Gpr.RDX] = processorSignature(options.model ?? DEFAULT_CPU_MODEL);
  state.eip = 0xfff0;
  state.ripHigh = 0;
  state.rflags = 0x2;
  // CS:IP = F000:FFF0 but with base FFFF0000: the first fetch is at FFFFFFF0, the reset vector.
  state.cs = makeSegment({ selector: 0xf000, base: 0xffff0000, type: 0xb });
  state.ss = resetDataSegment();
  state.ds = resetDataSegment();
  state.es = resetDataSegment();
  state.fs = resetDataSegment();
  state.gs = resetDataSegment();
  state.ldt = makeSegment({ s: false, type: 0x2 });
  state.tr = makeSegment({ s: false, type: 0x3 });
  state.gdt = { base: 0, baseHigh: 0, limit: 0xffff };
  state.idt = { base: 0, baseHigh: 0, limit: 0xffff };
  // INIT keeps CD and NW; power-on sets them (applyPowerOnValues).
  state.cr0 = (state.cr0 & 0x60000000) | 0x10;
  state.cr2 = 0n;
  state.cr3 = 0;
  state.cr4 = 0;
  state.cr8 = 0;
  state.efer = 0;
  state.dr.fill(0n);
  state.dr6 = 0xffff0ff0;
  state.dr7 = 0x400;
  state.events = makePendingEvents();
}

/** Power-on (and system reset) values for vCPU `index`; vCPU 0 is the bootstrap processor. */
export function applyPowerOnValues(
  state: X86CpuState,
  index: number,
  options: { model?: X86CpuModel } = {},
): void {
  state.cr0 = 0x60000010;
  applyInitValues(state, options);
  state.apicBase = (APIC_BASE_ADDRESS | APIC_ENABLE | (index === 0 ? APIC_BSP : 0)) >>> 0;
  state.mpState = index === 0 ? MpState.Runnable : MpState.Uninitialized;
  state.a20Enabled = true;
  // x87: FCW 0040h at power-up, FSW 0, all registers empty (abridged tag 00h); MXCSR 1F80h.
  state.xsave.fill(0);
  state.fxsave[0] = 0x40;
  new DataView(state.xsave.buffer, state.xsave.byteOffset).setUint32(24, 0x1f80, true);
  state.xcr0 = 1n;
  state.tsc = TSC_RESET_VALUE;
  state.msrs.clear();
  state.msrs.set(Msr.IA32_PAT, PAT_RESET_VALUE);
  state.msrs.set(Msr.IA32_MISC_ENABLE, 1n); // fast-string enable, as QEMU's default
  for (const mtrr of MTRR_MSRS) state.msrs.set(mtrr, 0n);
  for (const msr of [
    Msr.IA32_SYSENTER_CS,
    Msr.IA32_SYSENTER_ESP,
    Msr.IA32_SYSENTER_EIP,
    Msr.STAR,
    Msr.LSTAR,
    Msr.CSTAR,
    Msr.FMASK,
    Msr.KERNEL_GS_BASE,
    Msr.TSC_AUX,
    Msr.IA32_TSC_DEADLINE,
    Msr.IA32_FEATURE_CONTROL,
    Msr.KVM_SYSTEM_TIME_NEW,
    Msr.KVM_WALL_CLOCK_NEW,
  ]) {
    state.msrs.set(msr, 0n);
  }
}
