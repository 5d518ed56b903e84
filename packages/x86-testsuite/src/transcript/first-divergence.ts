import { locateInListing } from './nasm-listing.js';

/**
 * Whole-transcript comparison for guests that print one line per checkpoint (a DUMP of the
 * registers tagged with the address it was taken at), as accel-tcg's guests do: the reference
 * is QEMU's debug-console output, compared line for line.
 */
export interface TranscriptDivergence {
  /** 1-based line number. */
  readonly line: number;
  readonly expected: string | undefined;
  readonly actual: string | undefined;
  /** The DUMP tag (linear address of the DUMP site) of the differing line, if it has one. */
  readonly tag: number | undefined;
}

export function firstTranscriptDivergence(
  expected: string,
  actual: string,
): TranscriptDivergence | undefined {
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

/** The divergence as a report; with the ROM's nasm listing the tag becomes a source line. */
export function describeTranscriptDivergence(
  d: TranscriptDivergence,
  where: { romSize: number; listingPath?: string; accelerator?: string },
): string {
  const at =
    d.tag !== undefined && where.listingPath
      ? locateInListing(where.listingPath, where.romSize, d.tag)
      : undefined;
  const name = where.accelerator ?? 'tsvm';
  return [
    `first divergence at transcript line ${d.line}${at ? ` — ${at}` : ''}`,
    '  columns:   tag: eax ecx edx ebx esp ebp esi edi eflags',
    `  reference: ${d.expected ?? '<end of output>'}`,
    `  ${`${name}:`.padEnd(10)} ${d.actual ?? '<end of output>'}`,
  ].join('\n');
}
