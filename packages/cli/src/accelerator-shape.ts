import type { Accelerator, ProbeResult } from '@tsvm/core';

/** The members an accelerator object must have, as a user would read them in an error. */
const REQUIRED_MEMBERS: readonly {
  readonly key: keyof Accelerator;
  readonly what: string;
  readonly type: string;
}[] = [
  { key: 'name', what: 'name (a string)', type: 'string' },
  { key: 'probe', what: 'probe() (a function)', type: 'function' },
  { key: 'createVm', what: 'createVm() (a function)', type: 'function' },
];

/** Which required members `value` lacks (an empty list means it has the accelerator shape). */
export function missingAcceleratorMembers(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return REQUIRED_MEMBERS.map((m) => m.what);
  const v = value as Record<string, unknown>;
  return REQUIRED_MEMBERS.filter((m) => typeof v[m.key] !== m.type).map((m) => m.what);
}

export function isAccelerator(value: unknown): value is Accelerator {
  return missingAcceleratorMembers(value).length === 0;
}

/** A constructor whose instances would be accelerators (checked on the prototype, not by calling it). */
export function isAcceleratorClass(value: unknown): value is new () => Accelerator {
  const proto = (value as { prototype?: Record<string, unknown> } | null)?.prototype;
  return (
    typeof value === 'function' && typeof proto?.probe === 'function' && typeof proto.createVm === 'function'
  );
}

/**
 * Explain why a module's exports hold no accelerator: name the export that came closest and
 * what it lacks, or list what the module does export.
 */
export function explainMissingAccelerator(specifier: string, namespace: Record<string, unknown>): string {
  const expected =
    'expected an accelerator object (name, probe(), createVm()), a create…Accelerator() factory, or an accelerator class';
  const candidates = Object.entries(namespace)
    .filter(([, v]) => typeof v === 'object' && v !== null)
    .map(([key, v]) => ({ key, missing: missingAcceleratorMembers(v) }))
    .filter((c) => c.missing.length < REQUIRED_MEMBERS.length)
    .sort((a, b) => a.missing.length - b.missing.length);
  if (candidates.length > 0) {
    const best = candidates[0];
    return `${specifier} exports no accelerator: export '${best.key}' lacks ${best.missing.join(' and ')}; ${expected}`;
  }
  const names = Object.keys(namespace);
  return `${specifier} exports no accelerator (it exports ${names.length ? names.map((n) => `'${n}'`).join(', ') : 'nothing'}); ${expected}`;
}

/** Check a probe result; returns a complaint, or undefined when it is well-formed. */
export function probeResultProblem(result: unknown): string | undefined {
  const r = result as Partial<ProbeResult> | null;
  if (typeof r !== 'object' || r === null) return `probe() returned ${describe(result)}, not an object`;
  if (typeof r.available !== 'boolean')
    return `probe() returned ${describe(result)}: 'available' is not a boolean`;
  if (typeof r.reason !== 'string' || r.reason.trim() === '') {
    return `probe() returned ${describe(result)}: 'reason' must be a non-empty string`;
  }
  return undefined;
}

function describe(v: unknown): string {
  try {
    const text = JSON.stringify(v);
    if (text === undefined) return String(v);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return String(v);
  }
}
