import { isBzImage } from './bzimage-header.js';
import { findMultibootHeader } from './multiboot.js';

export type ImageKind = 'bzimage' | 'multiboot' | 'elf' | 'flat';

/**
 * What kind of image this is: a Linux bzImage ("HdrS" at 0x202), Multiboot (a header in the first 8 KiB), a plain ELF (which
 * tsvm cannot boot without a Multiboot header), or anything else, treated as a flat binary.
 * A damaged Multiboot header throws `LoaderError` rather than silently falling back.
 */
export function detectImage(image: Uint8Array): ImageKind {
  if (isBzImage(image)) return 'bzimage';
  if (findMultibootHeader(image)) return 'multiboot';
  if (image.length >= 4 && image[0] === 0x7f && image[1] === 0x45 && image[2] === 0x4c && image[3] === 0x46)
    return 'elf';
  return 'flat';
}
