import { type CompareRule, compareRuleFor } from '../guests/compare-rules.js';
import { lineDifferences, parseResultLine } from '../guests/result-lines.js';

/** The first line where an accelerator's output departs from the reference. */
export interface LineDivergence {
  /** 1-based line number. */
  readonly line: number;
  readonly expected: string | undefined;
  readonly actual: string | undefined;
  readonly differences: readonly string[];
}

export interface LineComparison {
  readonly lines: number;
  readonly divergence?: LineDivergence;
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** Compare group-guest outputs line by line under the SDM comparison rules. */
/** Compare every bit, undefined flags and results included (matching QEMU where the SDM is silent). */
const STRICT: CompareRule = {
  flags: 0xfff,
  registers: [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff],
  why: 'strict mode: undefined flags compared too (match QEMU)',
};

export function compareGuestOutput(
  expectedText: string,
  actualText: string,
  options: { undefinedFlags?: 'ignore' | 'match-qemu' } = {},
): LineComparison {
  const strict = options.undefinedFlags === 'match-qemu';
  const expected = splitLines(expectedText);
  const actual = splitLines(actualText);
  const n = Math.max(expected.length, actual.length);
  for (let i = 0; i < n; i++) {
    const e = expected[i];
    const a = actual[i];
    if (e === undefined)
      return {
        lines: i,
        divergence: {
          line: i + 1,
          expected: e,
          actual: a,
          differences: ['the accelerator printed more lines than the reference'],
        },
      };
    if (a === undefined)
      return {
        lines: i,
        divergence: {
          line: i + 1,
          expected: e,
          actual: a,
          differences: ['the accelerator output ends here'],
        },
      };
    const pe = parseResultLine(e);
    const pa = parseResultLine(a);
    if (!pe || !pa) {
      if (e !== a)
        return {
          lines: i,
          divergence: {
            line: i + 1,
            expected: e,
            actual: a,
            differences: [
              pa ? 'the reference line is not a result line' : 'the accelerator line is not a result line',
            ],
          },
        };
      continue;
    }
    const diffs = lineDifferences(pe, pa, strict ? STRICT : compareRuleFor(pe));
    if (diffs) return { lines: i, divergence: { line: i + 1, expected: e, actual: a, differences: diffs } };
  }
  return { lines: n };
}
