import { locateTag } from './listing.js';

/** The first line where two guest transcripts differ. */
export interface Divergence {
  line: number;
  expected: string | undefined;
  actual: string | undefined;
  /** DUMP tag (address of the DUMP site) of the differing line, if it has one. */
  tag: number | undefined;
}

export function firstDivergence(expected: string, actual: string): Divergence | undefined {
  const e = expected.split('\n');
  const a = actual.split('\n');
  for (let k = 0; k < Math.max(e.length, a.length); k++) {
    if (e[k] !== a[k]) {
      const tagged = /^([0-9a-f]{8}):/.exec(e[k] ?? a[k] ?? '');
      return {
        line: k + 1,
        expected: e[k],
        actual: a[k],
        tag: tagged ? Number.parseInt(tagged[1], 16) : undefined,
      };
    }
  }
  return undefined;
}

export function describeDivergence(guest: string, romSize: number, d: Divergence): string {
  const where = d.tag !== undefined ? locateTag(guest, romSize, d.tag) : undefined;
  return [
    `first divergence at transcript line ${d.line}${where ? ` — ${where}` : ''}`,
    '  columns:   tag: eax ecx edx ebx esp ebp esi edi eflags',
    `  reference: ${d.expected ?? '<end of output>'}`,
    `  tcg:       ${d.actual ?? '<end of output>'}`,
  ].join('\n');
}
