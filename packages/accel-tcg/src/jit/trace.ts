import type { Insn } from '../decode/insn.js';
import type { Block } from '../exec/block-cache.js';

/**
 * How a trace continues past a direct transfer inside it: `jump` (JMP rel), `call` (CALL rel:
 * the return address is pushed), `taken` (Jcc followed to its target; falling through is a side
 * exit) or `fall` (Jcc followed to the next instruction; the target is a side exit).
 */
export type FollowKind = 'jump' | 'call' | 'taken' | 'fall';

/**
 * What one compiled function runs: the entry block's instructions, then the instructions of the
 * blocks its direct transfers lead to on the same page, one path (a superblock). Offsets are
 * relative to the entry EIP: relative branches keep them fixed wherever the code segment puts
 * the page.
 */
export interface Trace {
  readonly insns: readonly Insn[];
  /** Offset of each instruction's first byte from the entry EIP. */
  readonly at: readonly number[];
  /** Per instruction: how the trace continues after it, when it is a followed transfer. */
  readonly follow: readonly (FollowKind | undefined)[];
}

/** Longest trace in instructions, and in blocks (each followed transfer starts a new one). */
export const MAX_TRACE_INSNS = 64;
export const MAX_TRACE_BLOCKS = 8;

/** The trace of `block` alone (its instructions back to back). */
export function singleBlockTrace(block: { readonly insns: readonly Insn[] }): Trace {
  const at: number[] = [];
  let off = 0;
  for (const i of block.insns) {
    at.push(off);
    off += i.len;
  }
  return { insns: block.insns, at, follow: block.insns.map(() => undefined) };
}

/** Offset just past instruction `k` of `t` (where it falls through to). */
export function afterOf(t: Trace, k: number): number {
  return t.at[k] + t.insns[k].len;
}

/** The first `n` instructions of `t`, ending in a plain (not followed) transfer. */
export function tracePrefix(t: Trace, n: number): Trace {
  const follow = t.follow.slice(0, n);
  follow[n - 1] = undefined;
  return { insns: t.insns.slice(0, n), at: t.at.slice(0, n), follow };
}

/** The direct transfers a trace may follow: 32-bit operand and address forms, no prefixes that change them. */
function followable(i: Insn): 'jump' | 'call' | 'jcc' | undefined {
  if (!i.a32 || !i.o32 || i.lock || i.rep) return undefined;
  const o = i.opc;
  if (o === 0xe9 || o === 0xeb) return 'jump';
  if (o === 0xe8) return 'call';
  if ((o >= 0x70 && o <= 0x7f) || (o >= 0x180 && o <= 0x18f)) return 'jcc';
  return undefined;
}

/**
 * Which way a trace follows the conditional branch ending `b`: the way it went more often while
 * interpreted, or (no record) the static guess, backwards taken (loops) and forwards not taken.
 */
function branchWay(b: Block, backwards: boolean): 'taken' | 'fall' {
  if (b.taken + b.notTaken === 0) return backwards ? 'taken' : 'fall';
  return b.taken > b.notTaken ? 'taken' : 'fall';
}

/**
 * Extend `block` along its direct transfers while their targets stay on the entry's linear
 * page (so on one physical page, whose code writes drop the whole trace) and do not lead back
 * into the trace (loops go round through the run loop's direct links). A conditional branch is
 * followed the way it went most while interpreted (`branchWay`).
 * `blockAt(offset)` returns the cached block at entry EIP + offset, or undefined when there is
 * none to follow (outside the code segment, not cacheable, a decode fault).
 */
export function buildTrace(
  block: Block,
  entryLinear: number,
  blockAt: (offset: number) => Block | undefined,
): Trace {
  const first = singleBlockTrace(block);
  const insns = [...first.insns];
  const at = [...first.at];
  const follow = [...first.follow];
  const starts = new Set<number>([0]);
  const page = Math.floor(entryLinear / 4096);
  // (the block whose last instruction is the trace's last: its branch statistics decide)
  let last: Block = block;
  for (let blocks = 1; blocks < MAX_TRACE_BLOCKS; blocks++) {
    const k = insns.length - 1;
    const insn = insns[k];
    const kind = followable(insn);
    if (kind === undefined) break;
    const after = at[k] + insn.len;
    const target = after + (insn.imm | 0);
    const how: FollowKind = kind !== 'jcc' ? kind : branchWay(last, target < after);
    const next = how === 'fall' ? after : target;
    if (starts.has(next) || Math.floor((entryLinear + next) / 4096) !== page) break;
    const b = blockAt(next);
    if (b === undefined || insns.length + b.insns.length > MAX_TRACE_INSNS) break;
    follow[k] = how;
    starts.add(next);
    last = b;
    let off = next;
    for (const i of b.insns) {
      insns.push(i);
      at.push(off);
      follow.push(undefined);
      off += i.len;
    }
  }
  return { insns, at, follow };
}
