import type { X86CpuState } from '@tsvm/arch-x86';
import { CpuFault, Vec } from '../exec/fault.js';

/** Physical memory as the page walker sees it (paging structures live in guest RAM). */
export interface PhysicalAccess {
  readPhys32(phys: number): number;
  writePhys32(phys: number, value: number): void;
}

/** Result of a successful walk: the physical address and what the TLB may cache. */
export interface Translation {
  phys: number;
  /** The page may be read from CPL 3. */
  user: boolean;
  /** Every level has R/W set (CPL 3 may write; CPL 0 may write regardless unless CR0.WP). */
  rw: boolean;
  /** The dirty bit is set (writes need no walk to set it). */
  dirty: boolean;
  /** The page is part of a 2 MiB or 4 MiB page. */
  large: boolean;
}

const P = 1;
const RW = 2;
const US = 4;
const A = 0x20;
const D = 0x40;
const PS = 0x80;
const TWO32 = 0x100000000;

const CR0_WP = 1 << 16;
const CR4_PSE = 1 << 4;
const CR4_PAE = 1 << 5;

/** #PF error code bits (SDM Vol. 3 §4.7). */
export const PfErr = { P: 1, W: 2, U: 4, RSVD: 8 } as const;

/** Walk the guest page tables for `lin`, setting accessed/dirty bits; throws #PF (and sets CR2) when denied. */
export function walk(
  state: X86CpuState,
  mem: PhysicalAccess,
  lin: number,
  write: boolean,
  user: boolean,
  out: Translation,
): void {
  lin >>>= 0;
  const wp = (state.cr0 & CR0_WP) !== 0;
  const pae = (state.cr4 & CR4_PAE) !== 0;
  let entryAddr: number;
  let entry: number;
  let perms = RW | US;
  const touched: number[] = [];
  const fail = (present: boolean, rsvd = false): never => {
    state.cr2 = BigInt(lin);
    throw new CpuFault(
      Vec.PF,
      (present ? PfErr.P : 0) | (write ? PfErr.W : 0) | (user ? PfErr.U : 0) | (rsvd ? PfErr.RSVD : 0),
    );
  };
  let phys: number;
  let large = false;
  let leafAddr: number;
  if (!pae) {
    entryAddr = (state.cr3 & 0xfffff000) >>> 0;
    entryAddr += (lin >>> 22) * 4;
    entry = mem.readPhys32(entryAddr);
    if (!(entry & P)) fail(false);
    perms &= entry;
    touched.push(entryAddr);
    if (entry & PS && state.cr4 & CR4_PSE) {
      large = true;
      // PSE-36: bits 13..16 of the PDE are physical address bits 32..35.
      phys = ((entry & 0xffc00000) >>> 0) + ((entry >>> 13) & 0xf) * TWO32 + (lin & 0x3fffff);
      leafAddr = entryAddr;
    } else {
      entryAddr = ((entry & 0xfffff000) >>> 0) + ((lin >>> 12) & 0x3ff) * 4;
      entry = mem.readPhys32(entryAddr);
      if (!(entry & P)) fail(false);
      perms &= entry;
      touched.push(entryAddr);
      phys = ((entry & 0xfffff000) >>> 0) + (lin & 0xfff);
      leafAddr = entryAddr;
    }
  } else {
    // PAE: 4-entry PDPT, then 512-entry directories and tables of 8-byte entries (36-bit physical).
    const pdpt = ((state.cr3 & 0xffffffe0) >>> 0) + (lin >>> 30) * 8;
    const pdpte = mem.readPhys32(pdpt);
    const pdpteHi = mem.readPhys32(pdpt + 4);
    if (!(pdpte & P)) fail(false);
    if (pdpte & 0x1e6 || pdpteHi & 0xfffffff0) fail(true, true);
    entryAddr = ((pdpte & 0xfffff000) >>> 0) + (pdpteHi & 0xf) * TWO32 + ((lin >>> 21) & 0x1ff) * 8;
    entry = mem.readPhys32(entryAddr);
    let hi = mem.readPhys32(entryAddr + 4);
    if (!(entry & P)) fail(false);
    if (hi & 0xfffffff0) fail(true, true);
    perms &= entry;
    touched.push(entryAddr);
    if (entry & PS) {
      if (entry & 0x1fe000) fail(true, true);
      large = true;
      phys = ((entry & 0xffe00000) >>> 0) + (hi & 0xf) * TWO32 + (lin & 0x1fffff);
      leafAddr = entryAddr;
    } else {
      entryAddr = ((entry & 0xfffff000) >>> 0) + (hi & 0xf) * TWO32 + ((lin >>> 12) & 0x1ff) * 8;
      entry = mem.readPhys32(entryAddr);
      hi = mem.readPhys32(entryAddr + 4);
      if (!(entry & P)) fail(false);
      if (hi & 0xfffffff0) fail(true, true);
      perms &= entry;
      touched.push(entryAddr);
      phys = ((entry & 0xfffff000) >>> 0) + (hi & 0xf) * TWO32 + (lin & 0xfff);
      leafAddr = entryAddr;
    }
  }
  if (user && !(perms & US)) fail(true);
  if (write && !(perms & RW) && (user || wp)) fail(true);
  // Accessed bits only once the access is known to be allowed (as QEMU does).
  for (const addr of touched) {
    const e = mem.readPhys32(addr);
    if (!(e & A)) mem.writePhys32(addr, e | A);
  }
  let leaf = mem.readPhys32(leafAddr);
  if (write && !(leaf & D)) {
    leaf |= D;
    mem.writePhys32(leafAddr, leaf);
  }
  out.phys = phys;
  out.user = (perms & US) !== 0;
  out.rw = (perms & RW) !== 0;
  out.dirty = (leaf & D) !== 0;
  out.large = large;
}
