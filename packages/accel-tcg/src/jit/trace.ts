import type { Insn } from '../decode/insn.js';
import type { Block } from '../exec/block-cache.js';

/**
 * How a trace continues past a transfer inside it: `jump` (JMP rel), `call` (CALL rel: the
 * return address is pushed), `taken` (Jcc followed to its target; falling through is a side
 * exit), `fall` (Jcc followed to the next instruction; the target is a side exit) or `computed`
 * (RET, or CALL/JMP through a register or memory, followed to the trace's next instruction where
 * it is predicted to go; the generated code checks the target and leaves when it differs).
 */
export type FollowKind = 'jump' | 'call' | 'taken' | 'fall' | 'computed';

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
  /** How many of `insns` are the main path (the rest are side blocks). */
  readonly mainLength: number;
  /**
   * Per followed conditional branch of the main path whose other way is compiled in too: that
   * side block's instructions, `insns[start]` to `insns[end - 1]` (after the main path). A side
   * block is small, and its last instruction goes back to the trace's entry or leaves.
   */
  readonly side: readonly (SideBlock | undefined)[];
}

export interface SideBlock {
  readonly start: number;
  readonly end: number;
}

/** Longest trace in instructions, and in blocks (each followed transfer starts a new one). */
export const MAX_TRACE_INSNS = 64;
export const MAX_TRACE_BLOCKS = 8;
/** Side blocks per trace, and their longest (each adds code TurboFan has to compile). */
const MAX_SIDE_BLOCKS = 2;
const MAX_SIDE_INSNS = 12;
/**
 * How settled a profile must be to be followed: a computed transfer's target the same at least
 * this many times in a row, a branch's record this many executions long. (Code with many call
 * sites, or lukewarm code — much of a kernel — then keeps short traces: following a guess there
 * only costs compile time.)
 */
const SETTLED = 4;

/** The trace of `block` alone (its instructions back to back). */
export function singleBlockTrace(block: { readonly insns: readonly Insn[] }): Trace {
  const at: number[] = [];
  let off = 0;
  for (const i of block.insns) {
    at.push(off);
    off += i.len;
  }
  return {
    insns: block.insns,
    at,
    follow: block.insns.map(() => undefined),
    mainLength: block.insns.length,
    side: block.insns.map(() => undefined),
  };
}

/** Index just past the run (main path or side block) that instruction `k` of `t` belongs to. */
export function runEnd(t: Trace, k: number): number {
  if (k < t.mainLength) return t.mainLength;
  for (const s of t.side) if (s !== undefined && k >= s.start && k < s.end) return s.end;
  throw new Error(`trace: instruction ${k} is in no run`);
}

/** Offset just past instruction `k` of `t` (where it falls through to). */
export function afterOf(t: Trace, k: number): number {
  return t.at[k] + t.insns[k].len;
}

/**
 * The path that goes into the side block of conditional branch `k` of `t`, as a trace of its
 * own: the main path up to `k`, which now follows the branch the side block's way, then that
 * block (lockstep checking compiles its prefixes to pin a bug there).
 */
export function sidePath(t: Trace, k: number): Trace {
  const s = t.side[k];
  if (s === undefined) throw new Error(`trace: instruction ${k} has no side block`);
  const insns = [...t.insns.slice(0, k + 1), ...t.insns.slice(s.start, s.end)];
  const follow: (FollowKind | undefined)[] = [
    ...t.follow.slice(0, k),
    t.follow[k] === 'taken' ? 'fall' : 'taken',
    ...t.follow.slice(s.start, s.end),
  ];
  return {
    insns,
    at: [...t.at.slice(0, k + 1), ...t.at.slice(s.start, s.end)],
    follow,
    mainLength: insns.length,
    side: insns.map(() => undefined),
  };
}

/** The first `n` instructions of `t`'s main path, ending in a plain (not followed) transfer. */
export function tracePrefix(t: Trace, n: number): Trace {
  const follow = t.follow.slice(0, n);
  follow[n - 1] = undefined;
  return {
    insns: t.insns.slice(0, n),
    at: t.at.slice(0, n),
    follow,
    mainLength: n,
    side: follow.map(() => undefined),
  };
}

/** The transfers a trace may follow: 32-bit operand and address forms, no prefixes that change them. */
export function followable(i: Insn): 'jump' | 'call' | 'jcc' | 'ret' | 'icall' | 'ijump' | undefined {
  if (!i.a32 || !i.o32 || i.lock || i.rep) return undefined;
  const o = i.opc;
  if (o === 0xe9 || o === 0xeb) return 'jump';
  if (o === 0xe8) return 'call';
  if ((o >= 0x70 && o <= 0x7f) || (o >= 0x180 && o <= 0x18f)) return 'jcc';
  if (o === 0xc3) return 'ret';
  if (o === 0xff && i.reg === 2) return 'icall';
  if (o === 0xff && i.reg === 4) return 'ijump';
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
 * Extend `block` along its transfers while their targets stay on the entry's linear page (so on
 * one physical page, whose code writes drop the whole trace) and do not lead back into the trace
 * (loops go round through the run loop's direct links). A conditional branch is followed the way
 * it went most while interpreted (`branchWay`). A RET is followed to the return address of a
 * call the trace followed, else (like a CALL or JMP through a register or memory) to where it
 * last went while interpreted, if it went there `SETTLED` times in a row (`Block.lastTarget`);
 * unpredicted ones end the trace.
 * `blockAt(offset)` returns the cached block at `entryEip` + offset, or undefined when there is
 * none to follow (outside the code segment, not cacheable, a decode fault).
 */
export function buildTrace(
  block: Block,
  entryLinear: number,
  entryEip: number,
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
  // Return addresses of the calls followed so far (offsets), innermost last.
  const returns: number[] = [];
  // The followed conditional branches: the block each ends and the way the trace goes.
  const ways = new Map<number, { block: Block; how: 'taken' | 'fall' }>();
  for (let blocks = 1; blocks < MAX_TRACE_BLOCKS; blocks++) {
    const k = insns.length - 1;
    const insn = insns[k];
    const kind = followable(insn);
    if (kind === undefined) break;
    const after = at[k] + insn.len;
    let how: FollowKind;
    let next: number;
    if (kind === 'ret' || kind === 'icall' || kind === 'ijump') {
      const predicted =
        kind === 'ret' && returns.length > 0
          ? returns[returns.length - 1]
          : last.lastTarget < 0 || last.targetRepeats + 1 < SETTLED
            ? undefined
            : (last.lastTarget - entryEip) | 0;
      if (predicted === undefined) break;
      how = 'computed';
      next = predicted;
    } else {
      const target = after + (insn.imm | 0);
      how = kind !== 'jcc' ? kind : branchWay(last, target < after);
      next = how === 'fall' ? after : target;
    }
    if (starts.has(next) || Math.floor((entryLinear + next) / 4096) !== page) break;
    const b = blockAt(next);
    if (b === undefined || insns.length + b.insns.length > MAX_TRACE_INSNS) break;
    follow[k] = how;
    starts.add(next);
    if (how === 'taken' || how === 'fall') ways.set(k, { block: last, how });
    last = b;
    if (kind === 'call' || kind === 'icall') returns.push(after);
    else if (kind === 'ret') returns.pop();
    append(b, next);
  }
  const mainLength = insns.length;
  const side: (SideBlock | undefined)[] = insns.map(() => undefined);
  for (const [k, { block: from, how }] of ways) {
    if (side.filter((x) => x !== undefined).length >= MAX_SIDE_BLOCKS) break;
    const other = how === 'taken' ? at[k] + insns[k].len : at[k] + insns[k].len + (insns[k].imm | 0);
    const b = sideBlock(from, other);
    if (b === undefined) continue;
    const start = insns.length;
    append(b, other);
    side[k] = { start, end: insns.length };
  }
  while (side.length < insns.length) side.push(undefined);
  return { insns, at, follow, mainLength, side };

  function append(b: Block, from: number): void {
    let off = from;
    for (const i of b.insns) {
      insns.push(i);
      at.push(off);
      follow.push(undefined);
      off += i.len;
    }
  }

  /**
   * The block at `off`, the way a branch of the main path goes when the trace does not, if it
   * is worth compiling in: that branch went both ways while interpreted (at least one time in
   * eight, over `SETTLED` runs or more), the block is small and on the page, and its last
   * instruction (a JMP or Jcc, by its target or by falling through) can go back to the entry,
   * so the function goes round instead of leaving.
   */
  function sideBlock(from: Block, off: number): Block | undefined {
    const seen = from.taken + from.notTaken;
    if (seen < SETTLED || Math.min(from.taken, from.notTaken) * 8 < seen) return undefined;
    if (Math.floor((entryLinear + off) / 4096) !== page) return undefined;
    const b = blockAt(off);
    if (b === undefined || b.insns.length > MAX_SIDE_INSNS || insns.length + b.insns.length > MAX_TRACE_INSNS)
      return undefined;
    const end = b.insns[b.insns.length - 1];
    const kind = followable(end);
    if (kind !== 'jump' && kind !== 'jcc') return undefined;
    let after = off;
    for (const i of b.insns) after += i.len;
    const loops = after + (end.imm | 0) === 0 || (kind === 'jcc' && after === 0);
    return loops ? b : undefined;
  }
}
