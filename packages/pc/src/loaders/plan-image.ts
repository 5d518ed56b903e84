import type { GuestMemory } from '@tsvm/core';
import type { AcpiTables } from '../acpi/acpi-tables.js';
import type { PcLayout } from '../pc-layout.js';
import type { BootPlan } from './boot-plan.js';
import { parseBzImageHeader } from './bzimage-header.js';
import { detectImage, type ImageKind } from './detect.js';
import { planFlatBinary } from './flat.js';
import { planLinuxBoot } from './linux-boot.js';
import { LoaderError } from './loader-error.js';
import { type MultibootModule, planMultiboot } from './multiboot.js';

export interface ImageOptions {
  /** Multiboot and Linux: the kernel command line (default empty). */
  readonly cmdline?: string;
  /** Multiboot: modules with their strings. */
  readonly modules?: readonly MultibootModule[];
  /** Flat binaries: load address (default 0x7C00). */
  readonly loadAddress?: number;
  /** Flat binaries: `real` (default, like a boot sector) or `protected` (flat 32-bit). */
  readonly entryMode?: 'real' | 'protected';
  /** Linux: the initial ramdisk. */
  readonly initrd?: Uint8Array;
  /** Linux: the board's ACPI tables (placed where they say; the RSDP goes in the zero page). */
  readonly acpi?: AcpiTables;
  /** Linux: the accelerator runs long mode, so a 64-bit kernel enters at startup_64. */
  readonly longMode?: boolean;
}

/** A boot plan and the kind of image it was made from. */
export interface ImagePlan {
  readonly kind: Exclude<ImageKind, 'elf'>;
  readonly plan: BootPlan;
}

/**
 * The boot plan for any image tsvm boots without firmware: a Linux bzImage, a Multiboot kernel
 * (ELF or a.out kludge) or a flat binary. A plain ELF without a Multiboot header is refused rather than
 * copied as raw bytes. Used by the CLI and the web page alike.
 */
export function planImage(
  image: Uint8Array,
  memory: GuestMemory,
  layout: PcLayout,
  options: ImageOptions = {},
): ImagePlan {
  const kind = detectImage(image);
  // Exhaustive: a new image kind must get its case here (tsc refuses the \`never\` otherwise).
  switch (kind) {
    case 'elf':
      throw new LoaderError(
        'image',
        'an ELF file without a Multiboot header (tsvm boots Multiboot kernels and flat binaries)',
        0,
      );
    case 'bzimage': {
      const entry = options.longMode && parseBzImageHeader(image).kernel64 ? '64' : '32';
      return {
        kind,
        plan: planLinuxBoot(image, memory, layout, {
          cmdline: options.cmdline ?? '',
          initrd: options.initrd,
          acpi: options.acpi,
          entry,
        }),
      };
    }
    case 'multiboot':
      return {
        kind,
        plan: planMultiboot(image, memory, layout, {
          cmdline: options.cmdline ?? '',
          modules: options.modules ?? [],
        }),
      };
    case 'flat':
      return {
        kind,
        plan: planFlatBinary(image, memory, { address: options.loadAddress, mode: options.entryMode }),
      };
    default: {
      const unknown: never = kind;
      throw new LoaderError('image', `no loader for images of kind '${unknown}'`);
    }
  }
}
