/** Size of the granule RAM, ROM and alias regions are aligned to. */
export const PAGE_SIZE = 4096;

/** Callbacks a device provides for a memory-mapped I/O window. Offsets are relative to the window base. */
export interface MmioHandler {
  read(offset: number, size: 1 | 2 | 4): number;
  write(offset: number, size: 1 | 2 | 4, value: number): void;
}

export type MemoryRegionKind = 'ram' | 'rom' | 'alias' | 'mmio';

/** One entry of the guest-physical memory map. */
export interface MemoryRegion {
  readonly name: string;
  readonly kind: MemoryRegionKind;
  /** Guest-physical address of the first byte. */
  readonly base: number;
  readonly size: number;
  /** Host bytes behind RAM, ROM and alias regions (an alias shares its target's bytes). */
  readonly bytes?: Uint8Array;
  /** Guest writes are ignored (ROM, or an alias of ROM). */
  readonly readonly: boolean;
  /** For aliases: the region whose bytes this one shows, and where in it the alias starts. */
  readonly aliasOf?: { readonly region: MemoryRegion; readonly offset: number };
  readonly mmio?: MmioHandler;
}

export function regionEnd(region: MemoryRegion): number {
  return region.base + region.size;
}

export function describeRegion(region: MemoryRegion): string {
  const hex = (n: number) => `0x${n.toString(16)}`;
  return `${region.kind} '${region.name}' [${hex(region.base)}, ${hex(regionEnd(region))})`;
}
