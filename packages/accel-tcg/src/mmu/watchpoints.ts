import type { X86CpuState } from '@tsvm/arch-x86';

/** A data breakpoint: DR0-DR3 enabled in DR7 with R/W = 01 (writes) or 11 (reads and writes). */
export interface Watchpoint {
  /** Which debug register (0-3): the bit it sets in DR6. */
  readonly index: number;
  /** First linear address covered (aligned down to the length, as the CPU does). */
  readonly lin: number;
  readonly len: number;
  readonly onRead: boolean;
}

/** DR7 LENn encodings → bytes covered. */
const LENGTHS = [1, 2, 8, 4] as const;

/** The data breakpoints DR7 enables. */
export function watchpointsOf(state: X86CpuState): Watchpoint[] {
  const dr7 = state.dr7;
  const list: Watchpoint[] = [];
  for (let n = 0; n < 4; n++) {
    if (((dr7 >> (n * 2)) & 3) === 0) continue;
    const rw = (dr7 >>> (16 + n * 4)) & 3;
    if (rw !== 1 && rw !== 3) continue; // 00 = execute (checked before each instruction), 10 = I/O
    const len = LENGTHS[(dr7 >>> (18 + n * 4)) & 3];
    const lin = (Number(state.dr[n] & 0xffffffffn) & ~(len - 1)) >>> 0;
    list.push({ index: n, lin, len, onRead: rw === 3 });
  }
  return list;
}

/** Any breakpoint DR7 enables that the executor honours (execute, write, read/write). */
export function hasBreakpoints(dr7: number): boolean {
  if ((dr7 & 0xff) === 0) return false;
  for (let n = 0; n < 4; n++) {
    if ((dr7 >> (n * 2)) & 3 && ((dr7 >>> (16 + n * 4)) & 3) !== 2) return true;
  }
  return false;
}

/** Same list, same addresses: re-arming is not needed. */
export function sameWatchpoints(a: readonly Watchpoint[], b: readonly Watchpoint[]): boolean {
  return (
    a.length === b.length &&
    a.every(
      (w, k) =>
        w.index === b[k].index && w.lin === b[k].lin && w.len === b[k].len && w.onRead === b[k].onRead,
    )
  );
}
