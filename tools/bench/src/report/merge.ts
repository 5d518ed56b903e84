/**
 * BENCHMARKS.md may hold notes that `pnpm bench` does not write (a profile of where the time
 * goes, say). The generated report lives between two markers; everything outside them is kept.
 * A file without the markers is someone's hand-written notes: it is kept, below the report.
 */
export const BEGIN_MARKER = '<!-- pnpm bench: generated from here; edit only outside the markers -->';
export const END_MARKER = '<!-- pnpm bench: generated up to here -->';

export function mergeReport(previous: string | undefined, generated: string): string {
  const block = `${BEGIN_MARKER}\n\n${generated.trim()}\n\n${END_MARKER}`;
  if (previous === undefined || previous.trim() === '') return `${block}\n`;
  const begin = previous.indexOf(BEGIN_MARKER);
  const end = previous.indexOf(END_MARKER);
  if (begin >= 0 && end > begin)
    return previous.slice(0, begin) + block + previous.slice(end + END_MARKER.length);
  // Hand-written notes: one heading level down, so the report's title stays the only H1.
  const notes = previous.trim().replace(/^(#{1,5}) /gm, '#$1 ');
  return `${block}\n\n## Notes kept from the previous BENCHMARKS.md (not written by pnpm bench)\n\n${notes}\n`;
}
