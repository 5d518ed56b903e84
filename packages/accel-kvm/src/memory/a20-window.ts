import type { MemoryRegion } from '@tsvm/core';

/** The window the A20 gate affects: with the gate closed, [1 MiB, 2 MiB) shows [0, 1 MiB). */
export const A20_WINDOW_BASE = 0x100000;
export const A20_WINDOW_END = 0x200000;

/** One KVM memory slot's worth of mapping: where, how big, which host bytes, read-only or not. */
export interface SlotMapping {
  readonly base: number;
  readonly size: number;
  readonly bytes: Uint8Array;
  readonly readonly: boolean;
  readonly label: string;
}

/**
 * The slot layout for a closed A20 gate. KVM has no A20 mask, so the backend rebuilds the
 * guest-physical map instead: every slot-backed region that overlaps the window is cut around
 * it, and every slot-backed region below 1 MiB is shown again 1 MiB higher. Addresses in the
 * window that show a hole below 1 MiB get no slot; their MMIO exits are folded down by
 * `a20Fold`. Only the first wrap is modelled — the one real-mode software can reach
 * (FFFF:0010 and up); the TS executor masks bit 20 everywhere.
 *
 * Returns the regions whose own slots must go, and the mappings that replace them.
 */
export function closedA20Layout(mapped: readonly MemoryRegion[]): {
  readonly displaced: readonly MemoryRegion[];
  readonly mappings: readonly SlotMapping[];
} {
  const displaced: MemoryRegion[] = [];
  const mappings: SlotMapping[] = [];
  for (const r of mapped) {
    const end = r.base + r.size;
    if (!r.bytes || end <= A20_WINDOW_BASE || r.base >= A20_WINDOW_END) continue;
    displaced.push(r);
    // Keep whatever lies outside the window where it was.
    if (r.base < A20_WINDOW_BASE) {
      mappings.push(slice(r, r.base, A20_WINDOW_BASE, r.base, 'below the A20 window'));
    }
    if (end > A20_WINDOW_END) {
      mappings.push(slice(r, A20_WINDOW_END, end, A20_WINDOW_END, 'above the A20 window'));
    }
  }
  for (const r of mapped) {
    if (!r.bytes || r.base >= A20_WINDOW_BASE) continue;
    const end = Math.min(r.base + r.size, A20_WINDOW_BASE);
    mappings.push(slice(r, r.base, end, r.base + A20_WINDOW_BASE, 'A20 wrap of'));
  }
  return { displaced, mappings };
}

function slice(r: MemoryRegion, from: number, to: number, at: number, why: string): SlotMapping {
  return {
    base: at,
    size: to - from,
    bytes: r.bytes!.subarray(from - r.base, to - r.base),
    readonly: r.readonly,
    label: `${why} '${r.name}'`,
  };
}

/** The address an access in the window really reaches while the A20 gate is closed. */
export function a20Fold(address: number, a20Enabled: boolean): number {
  if (a20Enabled || address < A20_WINDOW_BASE || address >= A20_WINDOW_END) return address;
  return address - A20_WINDOW_BASE;
}
