import {
  describeRegion,
  type MemoryRegion,
  type MmioHandler,
  PAGE_SIZE,
  regionEnd,
} from './memory-region.js';

/** Thrown when a region cannot be added to the memory map. */
export class MemoryMapError extends Error {
  override readonly name = 'MemoryMapError';
}

/** Largest guest-physical address space the map accepts (52-bit physical addresses). */
const MAX_PHYSICAL_ADDRESS = 2 ** 52;

export type MemoryAllocator = (bytes: number, name: string) => Uint8Array;

export interface MemoryMapListener {
  added?(region: MemoryRegion): void;
  removed?(region: MemoryRegion): void;
}

const hex = (n: number) => `0x${n.toString(16)}`;

/**
 * The guest-physical memory map: RAM, ROM, aliases and MMIO windows, never overlapping.
 * Reads of unassigned addresses return all ones; writes to them and to ROM are dropped.
 * This is also the MMIO bus: accelerators call `read`/`write` for addresses that are not RAM.
 */
export class GuestMemory {
  private sorted: MemoryRegion[] = [];
  private readonly listeners: MemoryMapListener[] = [];

  constructor(private readonly allocate: MemoryAllocator = (bytes) => new Uint8Array(bytes)) {}

  /** Every region, sorted by base address. */
  get regions(): readonly MemoryRegion[] {
    return this.sorted;
  }

  /** Be told when regions are added or removed (accelerators mirror the map this way). */
  listen(listener: MemoryMapListener): void {
    this.listeners.push(listener);
    for (const region of this.sorted) listener.added?.(region);
  }

  addRam(name: string, base: number, size: number): MemoryRegion {
    this.checkPlacement(name, base, size, true);
    return this.insert({ name, kind: 'ram', base, size, bytes: this.allocate(size, name), readonly: false });
  }

  /** A region the guest can read and execute but not write. Fill it through `region.bytes`. */
  addRom(name: string, base: number, size: number): MemoryRegion {
    this.checkPlacement(name, base, size, true);
    return this.insert({ name, kind: 'rom', base, size, bytes: this.allocate(size, name), readonly: true });
  }

  /** Show `size` bytes of `target`, starting at `offset` in it, at another address too. */
  addAlias(name: string, base: number, target: MemoryRegion, offset: number, size: number): MemoryRegion {
    if (!target.bytes)
      throw new MemoryMapError(`alias '${name}': target ${describeRegion(target)} has no bytes`);
    if (offset < 0 || offset % PAGE_SIZE !== 0 || offset + size > target.size) {
      throw new MemoryMapError(
        `alias '${name}': offset ${hex(offset)} size ${hex(size)} does not fit in ${describeRegion(target)}`,
      );
    }
    this.checkPlacement(name, base, size, true);
    return this.insert({
      name,
      kind: 'alias',
      base,
      size,
      bytes: target.bytes.subarray(offset, offset + size),
      readonly: target.readonly,
      aliasOf: { region: target, offset },
    });
  }

  addMmio(name: string, base: number, size: number, handler: MmioHandler): MemoryRegion {
    this.checkPlacement(name, base, size, false);
    return this.insert({ name, kind: 'mmio', base, size, readonly: false, mmio: handler });
  }

  remove(region: MemoryRegion): void {
    const index = this.sorted.indexOf(region);
    if (index < 0) throw new MemoryMapError(`${describeRegion(region)} is not in the memory map`);
    this.sorted = this.sorted.filter((r) => r !== region);
    for (const l of this.listeners) l.removed?.(region);
  }

  /** The region containing `address`, if any (binary search). */
  find(address: number): MemoryRegion | undefined {
    const list = this.sorted;
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const r = list[mid];
      if (address < r.base) hi = mid - 1;
      else if (address >= r.base + r.size) lo = mid + 1;
      else return r;
    }
    return undefined;
  }

  /** Read 1, 2 or 4 bytes, little-endian, from any kind of region. Unassigned: all ones. */
  read(address: number, size: 1 | 2 | 4): number {
    const r = this.find(address);
    if (r?.bytes && address + size <= r.base + r.size) {
      const b = r.bytes;
      const o = address - r.base;
      if (size === 1) return b[o];
      if (size === 2) return b[o] | (b[o + 1] << 8);
      return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
    }
    if (r?.mmio && address + size <= r.base + r.size) return r.mmio.read(address - r.base, size);
    if (r) return this.readBytewise(address, size);
    return size === 4 ? 0xffffffff : (1 << (size * 8)) - 1;
  }

  /** Write 1, 2 or 4 bytes, little-endian. ROM and unassigned addresses drop the write. */
  write(address: number, size: 1 | 2 | 4, value: number): void {
    const r = this.find(address);
    if (r?.bytes && address + size <= r.base + r.size) {
      if (r.readonly) return;
      const b = r.bytes;
      const o = address - r.base;
      b[o] = value;
      if (size >= 2) b[o + 1] = value >>> 8;
      if (size === 4) {
        b[o + 2] = value >>> 16;
        b[o + 3] = value >>> 24;
      }
      return;
    }
    if (r?.mmio && address + size <= r.base + r.size) {
      r.mmio.write(address - r.base, size, size === 4 ? value >>> 0 : value & ((1 << (size * 8)) - 1));
      return;
    }
    if (r) for (let i = 0; i < size; i++) this.write(address + i, 1, (value >>> (8 * i)) & 0xff);
  }

  /** Copy guest-physical bytes out (any region kinds; unassigned bytes read as 0xff). */
  readBytes(address: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; ) {
      const r = this.find(address + i);
      if (r?.bytes) {
        const o = address + i - r.base;
        const n = Math.min(length - i, r.size - o);
        out.set(r.bytes.subarray(o, o + n), i);
        i += n;
      } else {
        out[i] = this.read(address + i, 1);
        i++;
      }
    }
    return out;
  }

  /**
   * Write bytes as firmware or a loader would: RAM and ROM both accept them (ROM is only
   * read-only to the guest). Throws, writing nothing, if any byte falls outside RAM/ROM.
   */
  load(address: number, data: Uint8Array): void {
    this.assertLoadable(address, data.length);
    for (let i = 0; i < data.length; ) {
      const r = this.find(address + i)!;
      const o = address + i - r.base;
      const n = Math.min(data.length - i, r.size - o);
      r.bytes!.set(data.subarray(i, i + n), o);
      i += n;
    }
  }

  /** Throws unless every byte of [address, address+length) is backed by RAM or ROM. */
  assertLoadable(address: number, length: number): void {
    for (let i = 0; i < length; ) {
      const r = this.find(address + i);
      if (!r?.bytes) {
        throw new MemoryMapError(
          `[${hex(address)}, ${hex(address + length)}) is not RAM or ROM at ${hex(address + i)}`,
        );
      }
      i += r.base + r.size - (address + i);
    }
  }

  private readBytewise(address: number, size: number): number {
    let v = 0;
    for (let i = 0; i < size; i++) v |= this.read(address + i, 1) << (8 * i);
    return v >>> 0;
  }

  private checkPlacement(name: string, base: number, size: number, pageAligned: boolean): void {
    if (!Number.isSafeInteger(base) || !Number.isSafeInteger(size) || base < 0 || size <= 0) {
      throw new MemoryMapError(
        `region '${name}': base ${base} and size ${size} must be non-negative integers`,
      );
    }
    if (base + size > MAX_PHYSICAL_ADDRESS) {
      throw new MemoryMapError(`region '${name}' ends beyond the 52-bit physical address space`);
    }
    if (pageAligned && (base % PAGE_SIZE !== 0 || size % PAGE_SIZE !== 0)) {
      throw new MemoryMapError(
        `region '${name}': base ${hex(base)} and size ${hex(size)} must be multiples of ${PAGE_SIZE}`,
      );
    }
    for (const r of this.sorted) {
      if (base < regionEnd(r) && r.base < base + size) {
        throw new MemoryMapError(
          `region '${name}' [${hex(base)}, ${hex(base + size)}) overlaps ${describeRegion(r)}`,
        );
      }
    }
  }

  private insert(region: MemoryRegion): MemoryRegion {
    this.sorted = [...this.sorted, region].sort((a, b) => a.base - b.base);
    for (const l of this.listeners) l.added?.(region);
    return region;
  }
}
