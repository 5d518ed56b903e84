import type { GuestMemory, MemoryRegion } from '@tsvm/core';
import { SHADOW_RAM_NAME } from '../pc-layout.js';
import { LoaderError } from './loader-error.js';

const FOUR_GIB = 2 ** 32;
const PAGE = 4096;
/** How much of the ROM's end also appears below 1 MiB (the legacy BIOS window E0000-FFFFF). */
export const ROM_MIRROR_BYTES = 128 * 1024;
/** Largest ROM accepted (real flash parts top out far below this). */
export const MAX_ROM_BYTES = 16 * 1024 * 1024;
/** The reset vector is the last 16 bytes below 4 GiB. */
const RESET_VECTOR_BYTES = 16;

export interface MappedRom {
  readonly rom: MemoryRegion;
  readonly mirror: MemoryRegion;
}

/**
 * Map a BIOS-style ROM the way PC firmware is: its last byte at 0xFFFFFFFF (the CPU starts at
 * the reset vector F000:FFF0 = 0xFFFFFFF0) and its last 128 KiB mirrored just below 1 MiB.
 * An image that is not a multiple of 4 KiB is padded at the front with 0xFF. The memory map
 * is checked before anything is added. The mirror takes the place of the board's shadow RAM
 * where they meet (on a PC the BIOS window shows the ROM, not RAM, until firmware shadows it).
 */
export function mapRom(memory: GuestMemory, image: Uint8Array): MappedRom {
  if (image.length < RESET_VECTOR_BYTES) {
    throw new LoaderError(
      'rom',
      `image of ${image.length} bytes cannot hold the 16-byte reset vector at its end`,
      image.length,
    );
  }
  if (image.length > MAX_ROM_BYTES) {
    throw new LoaderError('rom', `image of ${image.length} bytes exceeds the ${MAX_ROM_BYTES}-byte limit`);
  }
  const size = Math.ceil(image.length / PAGE) * PAGE;
  const base = FOUR_GIB - size;
  const mirrorSize = Math.min(size, ROM_MIRROR_BYTES);
  const mirrorBase = 0x100000 - mirrorSize;
  for (const [what, start, length] of [
    ['ROM', base, size],
    ['ROM mirror', mirrorBase, mirrorSize],
  ] as const) {
    for (const r of memory.regions) {
      if (r.name === SHADOW_RAM_NAME && r.kind === 'ram' && what === 'ROM mirror') continue;
      if (start < r.base + r.size && r.base < start + length) {
        throw new LoaderError(
          'rom',
          `${what} [0x${start.toString(16)}, 0x${(start + length).toString(16)}) overlaps '${r.name}'`,
        );
      }
    }
  }
  shrinkShadowRamBelow(memory, mirrorBase);
  const rom = memory.addRom('rom', base, size);
  rom.bytes!.fill(0xff, 0, size - image.length);
  rom.bytes!.set(image, size - image.length);
  const mirror = memory.addAlias('rom-mirror', mirrorBase, rom, size - mirrorSize, mirrorSize);
  return { rom, mirror };
}

/** Cut the shadow RAM back to end at `end`, keeping what it holds below that. */
function shrinkShadowRamBelow(memory: GuestMemory, end: number): void {
  const shadow = memory.regions.find((r) => r.name === SHADOW_RAM_NAME && r.kind === 'ram');
  if (!shadow || shadow.base + shadow.size <= end) return;
  const kept = shadow.bytes!.slice(0, Math.max(0, end - shadow.base));
  memory.remove(shadow);
  if (kept.length > 0) memory.addRam(SHADOW_RAM_NAME, shadow.base, kept.length).bytes!.set(kept);
}
