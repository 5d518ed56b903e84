import type { GuestMemory } from '@tsvm/core';

const KiB = 1024;
const MiB = 1024 * KiB;

/** Conventional memory ends where the VGA window starts. */
export const LOW_RAM_END = 0xa0000;
/**
 * BIOS and option-ROM shadow RAM: 0xC0000-0xFFFFF is writable RAM on a PC (firmware copies its
 * ROMs there; loaders may fill it, e.g. with the ELF headers of a Multiboot kernel linked at
 * 1 MiB). It is reserved in the memory map; a mapped ROM's mirror replaces part of it.
 */
export const SHADOW_RAM_START = 0xc0000;
export const SHADOW_RAM_NAME = 'ram-shadow';
export const HIGH_RAM_START = 0x100000;
export const MIN_RAM_BYTES = 2 * MiB;
/** RAM stays below the 32-bit PCI/APIC hole; nothing above 4 GiB is mapped. */
export const MAX_RAM_BYTES = 3 * 1024 * MiB;

/** One entry of the BIOS-style (E820) memory map. */
export interface MemoryMapEntry {
  readonly base: number;
  readonly length: number;
  /** 1 = usable RAM, 2 = reserved (the E820 types). */
  readonly type: 1 | 2;
}

export class RamSizeError extends Error {
  override readonly name = 'RamSizeError';
}

/** Where RAM lives on the PC and how it is described to guests. */
export class PcLayout {
  constructor(readonly ramBytes: number) {
    if (!Number.isSafeInteger(ramBytes) || ramBytes < MIN_RAM_BYTES || ramBytes > MAX_RAM_BYTES) {
      throw new RamSizeError(
        `RAM size ${ramBytes} bytes is outside the supported ${MIN_RAM_BYTES / MiB} MiB to ${MAX_RAM_BYTES / MiB} MiB`,
      );
    }
    if (ramBytes % (4 * KiB) !== 0)
      throw new RamSizeError(`RAM size ${ramBytes} bytes is not a multiple of 4 KiB`);
  }

  /** First byte past the RAM that starts at 1 MiB. */
  get ramTop(): number {
    return this.ramBytes;
  }

  /** KiB of conventional memory (multiboot `mem_lower`). */
  get lowKib(): number {
    return LOW_RAM_END / KiB;
  }

  /** KiB of contiguous memory from 1 MiB (multiboot `mem_upper`). */
  get highKib(): number {
    return (this.ramTop - HIGH_RAM_START) / KiB;
  }

  map(memory: GuestMemory): void {
    memory.addRam('ram-low', 0, LOW_RAM_END);
    memory.addRam(SHADOW_RAM_NAME, SHADOW_RAM_START, HIGH_RAM_START - SHADOW_RAM_START);
    memory.addRam('ram-high', HIGH_RAM_START, this.ramTop - HIGH_RAM_START);
  }

  /**
   * The memory map a guest is given: the one source of the Multiboot mmap and E820. The VGA
   * window and the shadow RAM below 1 MiB are reserved, so guests leave the firmware area alone.
   */
  memoryMap(): MemoryMapEntry[] {
    return [
      { base: 0, length: LOW_RAM_END, type: 1 },
      // VGA window (no RAM) and shadow RAM (firmware's) below 1 MiB: not for the guest's use.
      { base: LOW_RAM_END, length: HIGH_RAM_START - LOW_RAM_END, type: 2 },
      { base: HIGH_RAM_START, length: this.ramTop - HIGH_RAM_START, type: 1 },
      { base: 0xfee00000, length: 0x1000, type: 2 },
    ];
  }
}
