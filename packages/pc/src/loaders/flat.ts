import type { GuestMemory } from '@tsvm/core';
import type { BootPlan, BootSegment } from './boot-plan.js';
import { enterFlatProtectedMode, enterRealMode, flatGdt } from './cpu-setup.js';
import { LoaderError } from './loader-error.js';
import { checkPlacement, MAX_IMAGE_BYTES } from './multiboot.js';

export interface FlatBinaryOptions {
  /** Guest-physical address of the first byte (default 0x7C00, where a boot sector goes). */
  readonly address?: number;
  /** Start address (default: `address`). */
  readonly entry?: number;
  /** `real`: CS:IP at the entry, like a boot sector (default). `protected`: flat 32-bit protected mode. */
  readonly mode?: 'real' | 'protected';
}

/** A raw binary copied to an address and started there. */
export function planFlatBinary(
  image: Uint8Array,
  memory: GuestMemory,
  options: FlatBinaryOptions = {},
): BootPlan {
  const address = options.address ?? 0x7c00;
  const entry = options.entry ?? address;
  const mode = options.mode ?? 'real';
  if (image.length === 0) throw new LoaderError('flat binary', 'image is empty', 0);
  if (image.length > MAX_IMAGE_BYTES)
    throw new LoaderError(
      'flat binary',
      `image of ${image.length} bytes exceeds the ${MAX_IMAGE_BYTES}-byte limit`,
    );
  if (!Number.isSafeInteger(address) || address < 0)
    throw new LoaderError('flat binary', `load address ${address} is invalid`);
  const segments: BootSegment[] = [{ address, data: image, what: 'image', fileOffset: 0 }];
  checkPlacement(memory, segments[0], 'flat binary');
  if (mode === 'real') {
    if (entry >= 0x100000) {
      throw new LoaderError(
        'flat binary',
        `entry 0x${entry.toString(16)} is not reachable in real mode (must be below 1 MiB)`,
      );
    }
    return {
      format: 'flat binary (real mode)',
      segments,
      entry,
      setCpu: (state) => enterRealMode(state, entry),
    };
  }
  // Protected mode needs a GDT that matches the segment registers: put one right after the image.
  const gdtAddress = Math.ceil((address + image.length) / 8) * 8;
  const gdt: BootSegment = { address: gdtAddress, data: flatGdt(), what: 'GDT' };
  checkPlacement(memory, gdt, 'flat binary');
  return {
    format: 'flat binary (32-bit protected mode)',
    segments: [...segments, gdt],
    entry,
    setCpu: (state) => enterFlatProtectedMode(state, entry, gdtAddress),
  };
}
