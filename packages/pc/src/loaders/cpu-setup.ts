import { Cr0, Gpr, makeSegment, type X86CpuState } from '@tsvm/arch-x86';

/** Selectors of the flat GDT the protected-mode loaders install (null, code, data). */
export const FLAT_CODE_SELECTOR = 0x08;
export const FLAT_DATA_SELECTOR = 0x10;

/** A GDT with a null descriptor, a flat 32-bit code and a flat 32-bit data descriptor (24 bytes). */
export function flatGdt(): Uint8Array {
  const gdt = new Uint8Array(24);
  // limit 0xFFFFF (4 KiB granular), base 0; access 0x9A code / 0x92 data; flags 0xC (G, D/B).
  gdt.set([0xff, 0xff, 0x00, 0x00, 0x00, 0x9a, 0xcf, 0x00], 8);
  gdt.set([0xff, 0xff, 0x00, 0x00, 0x00, 0x92, 0xcf, 0x00], 16);
  return gdt;
}

/**
 * 32-bit protected mode, paging off, flat 4 GiB segments whose hidden parts match the
 * descriptors of `flatGdt()` at `gdtAddress`; interrupts disabled; A20 open (the Multiboot
 * machine state).
 */
export function enterFlatProtectedMode(state: X86CpuState, entry: number, gdtAddress: number): void {
  const flat = (selector: number, type: number) =>
    makeSegment({ selector, base: 0, limit: 0xffffffff, type, s: true, present: true, db: true, g: true });
  state.cs = flat(FLAT_CODE_SELECTOR, 0xb);
  for (const name of ['ds', 'es', 'fs', 'gs', 'ss'] as const) state[name] = flat(FLAT_DATA_SELECTOR, 0x3);
  // TR and LDT: what VMX-style entry checks expect of protected mode (busy 32-bit TSS, unusable LDT).
  state.tr = makeSegment({ s: false, type: 0xb, limit: 0xffff });
  state.ldt = makeSegment({ s: false, type: 0x2, unusable: true, present: false });
  state.gdt = { base: gdtAddress, baseHigh: 0, limit: 23 };
  state.idt = { base: 0, baseHigh: 0, limit: 0 };
  state.cr0 = (state.cr0 | Cr0.PE | Cr0.ET) & ~(Cr0.PG | Cr0.CD | Cr0.NW);
  state.rflags = 0x2;
  state.eip = entry >>> 0;
  state.ripHigh = 0;
  state.a20Enabled = true;
}

/** Real mode with CS:IP pointing at `entry` (below 1 MiB) and the other segments zero. */
export function enterRealMode(state: X86CpuState, entry: number, stack = 0x7c00): void {
  const csSelector = entry < 0x10000 ? 0 : (entry >>> 4) & 0xf000;
  state.cs = makeSegment({ selector: csSelector, base: csSelector << 4, type: 0xb });
  for (const name of ['ds', 'es', 'fs', 'gs', 'ss'] as const) state[name] = makeSegment({ type: 0x3 });
  state.eip = entry - (csSelector << 4);
  state.ripHigh = 0;
  state.gprLow[Gpr.RSP] = stack;
  state.rflags = 0x2;
}
