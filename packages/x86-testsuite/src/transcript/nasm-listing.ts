import { existsSync, readFileSync } from 'node:fs';

/**
 * Map a DUMP tag (the linear address of a DUMP site in a ROM that ends at 4 GiB) to the guest
 * source line through its nasm listing (`nasm -l`), with the instructions just before it.
 * Undefined when there is no listing or the address is not in it.
 */
export function locateInListing(listingPath: string, romSize: number, tag: number): string | undefined {
  if (!existsSync(listingPath)) return undefined;
  const guest = listingPath.replace(/^.*\//, '').replace(/\.lst$/, '');
  const offset = tag - (2 ** 32 - romSize);
  const lines = readFileSync(listingPath, 'utf8').split('\n');
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
        if (/DUMP/.test(text)) break;
      }
      return `${guest}.asm:${src ? src[1] : '?'}, after:\n${context.join('\n')}`;
    }
  }
  return undefined;
}
