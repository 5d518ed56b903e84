import { appendFileSync } from 'node:fs';
import type { TraceEntry } from '../native/addon.js';

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
