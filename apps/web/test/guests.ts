import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '../../..');
export const GUESTS = join(REPO, 'packages/pc/guests');
/** The bundled demo (Multiboot): the page boots it by default. */
export const DEMO = join(GUESTS, 'demo/demo.bin');
/** Flat binary, real mode: echoes COM1 input in upper case until '.'; exit value = bytes echoed. */
export const IRQGUEST = join(GUESTS, 'e2e/irqguest.bin');
/** Multiboot: prints steps, waits for one key, then 20 PIT ticks; exit value from a checksum. */
export const SNAPGUEST = join(GUESTS, 'e2e/snapguest.bin');
export const CLI = join(REPO, 'packages/cli/dist/main.js');

export const bytesOf = (path: string) => new Uint8Array(readFileSync(path));
