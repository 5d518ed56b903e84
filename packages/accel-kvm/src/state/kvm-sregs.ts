import type { SegmentRegister, TableRegister, X86CpuState } from '@tsvm/arch-x86';

/** `struct kvm_sregs`: 8 segments (24 bytes), GDT/IDT (16 bytes), control registers, interrupt bitmap. */
const SEGMENT_ORDER = ['cs', 'ds', 'es', 'fs', 'gs', 'ss', 'tr', 'ldt'] as const;
const SEGMENT_BYTES = 24;
const GDT = 192;
const IDT = 208;
const CR0 = 224;
const CR2 = 232;
const CR3 = 240;
const CR4 = 248;
const CR8 = 256;
const EFER = 264;
const APIC_BASE = 272;
// interrupt_bitmap (280..311) stays zero: a pending injected interrupt travels in the vCPU events,
// which the plan writes after sregs.

function putU64(v: DataView, at: number, value: number | bigint): void {
  // 32-bit registers built with JS bit operations may arrive as negative int32: take them unsigned.
  const b = typeof value === 'number' && value < 0 ? BigInt(value >>> 0) : BigInt.asUintN(64, BigInt(value));
  v.setBigUint64(at, b, true);
}

function putSegment(v: DataView, at: number, s: SegmentRegister): void {
  v.setUint32(at, s.base >>> 0, true);
  v.setUint32(at + 4, s.baseHigh >>> 0, true);
  v.setUint32(at + 8, s.limit >>> 0, true);
  v.setUint16(at + 12, s.selector & 0xffff, true);
  v.setUint8(at + 14, s.type & 0xf);
  v.setUint8(at + 15, +s.present);
  v.setUint8(at + 16, s.dpl & 3);
  v.setUint8(at + 17, +s.db);
  v.setUint8(at + 18, +s.s);
  v.setUint8(at + 19, +s.l);
  v.setUint8(at + 20, +s.g);
  v.setUint8(at + 21, +s.avl);
  v.setUint8(at + 22, +s.unusable);
}

function getSegment(v: DataView, at: number): SegmentRegister {
  return {
    base: v.getUint32(at, true),
    baseHigh: v.getUint32(at + 4, true),
    limit: v.getUint32(at + 8, true),
    selector: v.getUint16(at + 12, true),
    type: v.getUint8(at + 14),
    present: v.getUint8(at + 15) !== 0,
    dpl: v.getUint8(at + 16),
    db: v.getUint8(at + 17) !== 0,
    s: v.getUint8(at + 18) !== 0,
    l: v.getUint8(at + 19) !== 0,
    g: v.getUint8(at + 20) !== 0,
    avl: v.getUint8(at + 21) !== 0,
    unusable: v.getUint8(at + 22) !== 0,
  };
}

function putTable(v: DataView, at: number, t: TableRegister): void {
  v.setUint32(at, t.base >>> 0, true);
  v.setUint32(at + 4, t.baseHigh >>> 0, true);
  v.setUint16(at + 8, t.limit & 0xffff, true);
}

function getTable(v: DataView, at: number): TableRegister {
  return {
    base: v.getUint32(at, true),
    baseHigh: v.getUint32(at + 4, true),
    limit: v.getUint16(at + 8, true),
  };
}

export function encodeSregs(state: X86CpuState, size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  const v = new DataView(bytes.buffer);
  for (const [i, name] of SEGMENT_ORDER.entries()) putSegment(v, i * SEGMENT_BYTES, state[name]);
  putTable(v, GDT, state.gdt);
  putTable(v, IDT, state.idt);
  putU64(v, CR0, state.cr0 >>> 0);
  putU64(v, CR2, state.cr2);
  putU64(v, CR3, state.cr3);
  putU64(v, CR4, state.cr4 >>> 0);
  putU64(v, CR8, state.cr8);
  putU64(v, EFER, state.efer);
  putU64(v, APIC_BASE, state.apicBase);
  return bytes;
}

export function decodeSregs(bytes: Uint8Array, state: X86CpuState): void {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  SEGMENT_ORDER.forEach((name, i) => {
    state[name] = getSegment(v, i * SEGMENT_BYTES);
  });
  state.gdt = getTable(v, GDT);
  state.idt = getTable(v, IDT);
  state.cr0 = v.getUint32(CR0, true);
  state.cr2 = v.getBigUint64(CR2, true);
  state.cr3 = Number(v.getBigUint64(CR3, true));
  state.cr4 = v.getUint32(CR4, true);
  state.cr8 = Number(v.getBigUint64(CR8, true));
  state.efer = Number(v.getBigUint64(EFER, true));
  state.apicBase = Number(v.getBigUint64(APIC_BASE, true));
}
