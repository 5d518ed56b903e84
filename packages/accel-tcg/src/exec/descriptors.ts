import type { SegmentRegister } from '@tsvm/arch-x86';
import type { Cpu } from './cpu.js';
import { fault, Vec } from './fault.js';

/** A raw 8-byte descriptor as two little-endian dwords, plus where it lives (for the accessed bit). */
export interface RawDescriptor {
  lo: number;
  hi: number;
  /** Linear address of the descriptor. */
  addr: number;
}

export const descType = (d: RawDescriptor): number => (d.hi >> 8) & 0xf;
export const descS = (d: RawDescriptor): boolean => (d.hi & 0x1000) !== 0;
export const descDpl = (d: RawDescriptor): number => (d.hi >> 13) & 3;
export const descPresent = (d: RawDescriptor): boolean => (d.hi & 0x8000) !== 0;
export const isCode = (d: RawDescriptor): boolean => descS(d) && (d.hi & 0x800) !== 0;
export const isConforming = (d: RawDescriptor): boolean => isCode(d) && (d.hi & 0x400) !== 0;
export const descBase = (d: RawDescriptor): number =>
  ((d.lo >>> 16) | ((d.hi & 0xff) << 16) | (d.hi & 0xff000000)) >>> 0;
export function descLimit(d: RawDescriptor): number {
  const raw = (d.lo & 0xffff) | (d.hi & 0xf0000);
  return d.hi & 0x800000 ? ((raw << 12) | 0xfff) >>> 0 : raw;
}

/**
 * Read the descriptor `sel` names from the GDT or LDT. Throws `vector`(sel & ~3) — #GP unless a
 * caller (task switch, interrupt delivery) needs another — when it lies beyond the table limit.
 */
export function readDescriptor(c: Cpu, sel: number, vector: number = Vec.GP, ext = 0): RawDescriptor {
  const s = c.state;
  let base: number;
  let limit: number;
  if (sel & 4) {
    if (s.ldt.unusable || (s.ldt.selector & 0xfffc) === 0) fault(vector, (sel & 0xfffc) | ext);
    base = s.ldt.base >>> 0;
    limit = s.ldt.limit >>> 0;
  } else {
    base = s.gdt.base >>> 0;
    limit = s.gdt.limit;
  }
  const index = sel & 0xfff8;
  if (index + 7 > limit) fault(vector, (sel & 0xfffc) | ext);
  const addr = (base + index) | 0;
  return { lo: c.mmu.readSys(addr, 4), hi: c.mmu.readSys(addr + 4, 4), addr };
}

/** Set the accessed bit of a code/data descriptor (a locked write, as the CPU does). */
export function markAccessed(c: Cpu, d: RawDescriptor): void {
  if (d.hi & 0x100) return;
  d.hi |= 0x100;
  c.mmu.writeSys(d.addr + 4, 4, d.hi);
}

/** Fill a segment register's hidden part from a descriptor. */
export function loadCache(sg: SegmentRegister, sel: number, d: RawDescriptor): void {
  sg.selector = sel & 0xffff;
  sg.base = descBase(d);
  sg.baseHigh = 0;
  sg.limit = descLimit(d);
  sg.type = descType(d);
  sg.s = descS(d);
  sg.dpl = descDpl(d);
  sg.present = descPresent(d);
  sg.avl = (d.hi & 0x100000) !== 0;
  sg.l = false;
  sg.db = (d.hi & 0x400000) !== 0;
  sg.g = (d.hi & 0x800000) !== 0;
  sg.unusable = false;
}

/** A null selector in DS/ES/FS/GS: the register is unusable until reloaded. */
export function loadNull(sg: SegmentRegister, sel: number): void {
  sg.selector = sel & 0xffff;
  sg.base = 0;
  sg.limit = 0;
  sg.type = 0;
  sg.present = false;
  sg.unusable = true;
  sg.dpl = 0;
}
