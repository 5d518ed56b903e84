import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GUESTS_DIR } from './fixtures.js';

/**
 * Map a DUMP tag (the linear address of a DUMP site) to the guest source line through the nasm
 * listing guests/bin/NAME.lst, and show the instructions just before it.
 */
export function locateTag(guest: string, romSize: number, tag: number): string | undefined {
  const lst = join(GUESTS_DIR, 'bin', `${guest}.lst`);
  if (!existsSync(lst)) return undefined;
  const offset = tag - (0x100000000 - romSize);
  const lines = readFileSync(lst, 'utf8').split('\n');
  const want = offset.toString(16).toUpperCase().padStart(8, '0');
  for (let k = 0; k < lines.length; k++) {
    const m = /^\s*\d+\s+([0-9A-F]{8})\s/.exec(lines[k]);
    if (!m || m[1] !== want) continue;
    // Walk back to the invocation line in the guest's own source (not a macro/include line).
    for (let j = k; j >= 0; j--) {
      if (/<\d+>/.test(lines[j])) continue;
      const src = /^\s*(\d+)\s/.exec(lines[j]);
      const context: string[] = [];
      for (let q = j - 1; q >= 0 && context.length < 4; q--) {
        if (/<\d+>/.test(lines[q])) continue;
        const text = lines[q].replace(/^\s*\d+\s+(?:[0-9A-F]{8}\s+\S+)?\s*/, '').trim();
        if (text && !text.startsWith(';')) context.unshift(`    ${text}`);
        if (/^\s*\d+\s+\S+\s+\S+\s+DUMP/.test(lines[q]) || /DUMP/.test(text)) break;
      }
      return `${guest}.asm:${src ? src[1] : '?'}, after:\n${context.join('\n')}`;
    }
  }
  return undefined;
}
