import { Cr0, Cr4, Efer, Gpr, makeSegment, type X86CpuState } from '@tsvm/arch-x86';

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

/** Which descriptors of the installed GDT the segment registers hold. */
export interface FlatSelectors {
  readonly code: number;
  readonly data: number;
  /** GDT limit (size in bytes - 1). */
  readonly gdtLimit: number;
}

const FLAT_GDT_SELECTORS: FlatSelectors = {
  code: FLAT_CODE_SELECTOR,
  data: FLAT_DATA_SELECTOR,
  gdtLimit: 23,
};

/**
 * 32-bit protected mode, paging off, flat 4 GiB segments whose hidden parts match the
 * descriptors of `flatGdt()` at `gdtAddress` (or of another GDT, through `selectors`);
 * interrupts disabled; A20 open (the Multiboot machine state).
 */
export function enterFlatProtectedMode(
  state: X86CpuState,
  entry: number,
  gdtAddress: number,
  selectors: FlatSelectors = FLAT_GDT_SELECTORS,
): void {
  const flat = (selector: number, type: number) =>
    makeSegment({ selector, base: 0, limit: 0xffffffff, type, s: true, present: true, db: true, g: true });
  state.cs = flat(selectors.code, 0xb);
  for (const name of ['ds', 'es', 'fs', 'gs', 'ss'] as const) state[name] = flat(selectors.data, 0x3);
  // TR and LDT: what VMX-style entry checks expect of protected mode (busy 32-bit TSS, unusable LDT).
  state.tr = makeSegment({ s: false, type: 0xb, limit: 0xffff });
  state.ldt = makeSegment({ s: false, type: 0x2, unusable: true, present: false });
  state.gdt = { base: gdtAddress, baseHigh: 0, limit: selectors.gdtLimit };
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

/**
 * 64-bit long mode: paging on with the tables at `pml4Address` (see `identityPageTables`), PAE,
 * EFER.LME|LMA, CS a 64-bit code segment (L=1, D=0) and flat data segments, matching the
 * descriptors of the GDT at `gdtAddress`; interrupts disabled.
 */
export function enterLongMode(
  state: X86CpuState,
  entry: number,
  gdtAddress: number,
  pml4Address: number,
  selectors: FlatSelectors,
): void {
  enterFlatProtectedMode(state, entry, gdtAddress, selectors);
  state.cs = makeSegment({
    selector: selectors.code,
    base: 0,
    limit: 0xffffffff,
    type: 0xb,
    s: true,
    present: true,
    l: true,
    g: true,
  });
  state.cr3 = pml4Address;
  state.cr4 |= Cr4.PAE;
  state.efer |= Efer.LME | Efer.LMA;
  state.cr0 |= Cr0.PG;
}

/** Size of the tables `identityPageTables` builds: PML4, PDPT and four page directories. */
export const IDENTITY_PAGE_TABLE_BYTES = 6 * 4096;

/**
 * Page tables that identity-map the first 4 GiB with 2 MiB pages, to be placed at `base`
 * (4 KiB aligned): PML4 at base, PDPT at +4 KiB, page directories at +8 KiB..+24 KiB.
 */
export function identityPageTables(base: number): Uint8Array {
  const tables = new Uint8Array(IDENTITY_PAGE_TABLE_BYTES);
  const view = new DataView(tables.buffer);
  const present = 0x3; // P | RW
  view.setUint32(0, (base + 0x1000 + present) >>> 0, true);
  for (let gib = 0; gib < 4; gib++) {
    view.setUint32(0x1000 + gib * 8, (base + 0x2000 + gib * 0x1000 + present) >>> 0, true);
    for (let i = 0; i < 512; i++) {
      const physical = gib * 2 ** 30 + i * 2 ** 21;
      const at = 0x2000 + gib * 0x1000 + i * 8;
      view.setUint32(at, (physical + 0x83) >>> 0, true); // P | RW | PS (2 MiB page)
      view.setUint32(at + 4, Math.floor(physical / 2 ** 32), true);
    }
  }
  return tables;
}
