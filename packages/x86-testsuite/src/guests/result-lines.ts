import { type CompareRule, compareRuleFor } from './compare-rules.js';

/**
 * One result line of a group guest:
 *   `<name> <a> <b> <flags-in> : <eax> <ebx> <ecx> <edx> <flags-out>[ !<vector> <eip>]`
 */
export interface ResultLine {
  readonly text: string;
  readonly name: string;
  readonly a: number;
  readonly b: number;
  readonly flagsIn: number;
  /** EAX, EBX, ECX, EDX after the case. */
  readonly registers: readonly [number, number, number, number];
  readonly flagsOut: number;
  readonly exception?: { readonly vector: number; readonly eip: number };
}

const LINE =
  /^(\S+) ([0-9a-f]{8}) ([0-9a-f]{8}) ([0-9a-f]{3}) : ([0-9a-f]{8}) ([0-9a-f]{8}) ([0-9a-f]{8}) ([0-9a-f]{8}) ([0-9a-f]{3})(?: !([0-9a-f]{2}) ([0-9a-f]{8}))?$/;

/** Parse a line; anything else (a fatal-exception message, garbage) comes back as undefined. */
export function parseResultLine(text: string): ResultLine | undefined {
  const m = LINE.exec(text);
  if (!m) return undefined;
  const n = (i: number) => Number.parseInt(m[i], 16);
  return {
    text,
    name: m[1],
    a: n(2),
    b: n(3),
    flagsIn: n(4),
    registers: [n(5), n(6), n(7), n(8)],
    flagsOut: n(9),
    exception: m[10] ? { vector: n(10), eip: n(11) } : undefined,
  };
}

export const OUTPUT_REGISTER_NAMES = ['eax', 'ebx', 'ecx', 'edx'] as const;

/** Why two lines differ under the line's comparison rule, or undefined when they agree. */
export function lineDifferences(
  expected: ResultLine,
  actual: ResultLine,
  rule: CompareRule = compareRuleFor(expected),
): string[] | undefined {
  const diffs: string[] = [];
  const h = (v: number, d = 8) => v.toString(16).padStart(d, '0');
  if (
    expected.name !== actual.name ||
    expected.a !== actual.a ||
    expected.b !== actual.b ||
    expected.flagsIn !== actual.flagsIn
  )
    diffs.push('the inputs differ: the guest ran different cases (control flow diverged earlier)');
  for (let i = 0; i < 4; i++) {
    const keep = rule.registers[i];
    if (((expected.registers[i] ^ actual.registers[i]) & keep) !== 0) {
      const note = keep === 0xffffffff ? '' : ` (compared bits ${h(keep)})`;
      diffs.push(
        `${OUTPUT_REGISTER_NAMES[i]}: expected ${h(expected.registers[i])}, got ${h(actual.registers[i])}${note}`,
      );
    }
  }
  if (((expected.flagsOut ^ actual.flagsOut) & rule.flags) !== 0) {
    diffs.push(
      `eflags: expected ${h(expected.flagsOut, 3)}, got ${h(actual.flagsOut, 3)} (compared bits ${h(rule.flags, 3)}; ${rule.why})`,
    );
  }
  const ev = expected.exception;
  const av = actual.exception;
  if (
    (ev === undefined) !== (av === undefined) ||
    (ev && av && (ev.vector !== av.vector || ev.eip !== av.eip))
  ) {
    const show = (e: ResultLine['exception']) =>
      e ? `vector ${e.vector} at eip ${h(e.eip)}` : 'no exception';
    diffs.push(`exception: expected ${show(ev)}, got ${show(av)}`);
  }
  return diffs.length > 0 ? diffs : undefined;
}
