import { appendFileSync } from 'node:fs';
import { KvmError } from '../errors.js';
import type { TraceEntry } from '../native/addon.js';

/**
 * Check before the run that `file` can take the trace (created empty if missing), so a bad
 * path is refused up front with its name instead of losing the trace at the end.
 * `source` says where the path came from (the option or TSVM_KVM_TRACE).
 */
export function checkTraceFile(file: string, source: string): void {
  try {
    appendFileSync(file, '');
  } catch (e) {
    throw new KvmError(`${source}: cannot write the ioctl trace to '${file}': ${(e as Error).message}`);
  }
}

/**
 * Append a vCPU's recorded set-ioctls to `file`, one JSON object per line:
 * `{"vcpu":0,"ioctl":"KVM_SET_MSRS","msrs":[16,…],"tsc":"1"}` (the TSC as a decimal string).
 * This is how a `tsvm` process run with TSVM_KVM_TRACE shows which state it wrote.
 */
export function appendTrace(file: string, vcpu: number, entries: readonly TraceEntry[]): void {
  if (entries.length === 0) return;
  const lines = entries.map((e) =>
    JSON.stringify({ vcpu, ...e, ...(e.tsc === undefined ? {} : { tsc: e.tsc.toString() }) }),
  );
  appendFileSync(file, `${lines.join('\n')}\n`);
}
