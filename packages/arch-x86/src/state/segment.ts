/**
 * A segment register: the visible selector plus the hidden descriptor cache, with the same
 * fields KVM's `struct kvm_segment` has (so the KVM backend marshals it field by field).
 */
export interface SegmentRegister {
  selector: number;
  /** Low 32 bits of the base (unsigned). */
  base: number;
  /** High 32 bits of the base (only FS/GS/TR/LDT bases in long mode use it). */
  baseHigh: number;
  /** Byte-granular limit (already scaled by G). */
  limit: number;
  /** Descriptor type field (4 bits). */
  type: number;
  /** S bit: 1 code/data, 0 system. */
  s: boolean;
  dpl: number;
  present: boolean;
  avl: boolean;
  /** L bit: 64-bit code segment. */
  l: boolean;
  /** D/B bit: 32-bit default operand size / stack size / expand-down upper bound. */
  db: boolean;
  /** G bit: limit granularity was 4 KiB. */
  g: boolean;
  /** Segment is unusable (null selector loaded in protected mode). */
  unusable: boolean;
}

export function makeSegment(fields: Partial<SegmentRegister> = {}): SegmentRegister {
  return {
    selector: 0,
    base: 0,
    baseHigh: 0,
    limit: 0xffff,
    type: 0,
    s: true,
    dpl: 0,
    present: true,
    avl: false,
    l: false,
    db: false,
    g: false,
    unusable: false,
    ...fields,
  };
}

export function copySegment(to: SegmentRegister, from: SegmentRegister): void {
  Object.assign(to, from);
}

/** A descriptor-table register (GDTR, IDTR). */
export interface TableRegister {
  base: number;
  baseHigh: number;
  limit: number;
}

export const SEGMENT_NAMES = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'] as const;
export type SegmentName = (typeof SEGMENT_NAMES)[number];
