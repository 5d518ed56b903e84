import type { Guest, GuestName } from '../guests.js';
import type { Cell } from '../report/model.js';
import type { Availability, Subject, SubjectId } from '../subjects.js';

export interface SuiteContext {
  readonly repoRoot: string;
  readonly guests: Record<GuestName, Guest>;
  readonly subjects: Record<SubjectId, Availability>;
  readonly runs: number;
  readonly timeoutMs: number;
  /** Smoke mode: tiny inputs, nothing long-running; figures mean nothing. */
  readonly quick: boolean;
  readonly log: (line: string) => void;
}

/** The runnable subjects among `ids`, and a "not available" cell for each of the others. */
export function pick(
  ctx: SuiteContext,
  ids: readonly SubjectId[],
): { runnable: Subject[]; missing: Map<SubjectId, Cell> } {
  const runnable: Subject[] = [];
  const missing = new Map<SubjectId, Cell>();
  for (const id of ids) {
    const a = ctx.subjects[id];
    if (a.available) runnable.push(a.subject);
    else missing.set(id, { status: 'not available', reason: a.reason });
  }
  return { runnable, missing };
}
