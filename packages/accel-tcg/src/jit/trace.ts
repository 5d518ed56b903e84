import type { Insn } from '../decode/insn.js';
import type { Block } from '../exec/block-cache.js';

/**
 * What one compiled function runs: a region of blocks on the entry's page, found along their
 * transfers (jumps, calls, both ways of conditional branches, falling through, and computed
 * transfers to where they went before). A transfer between two of its blocks stays inside the
 * function (see BlockEmitter). Offsets are relative to the entry EIP: relative branches keep
 * them fixed wherever the code segment puts the page. (Named a trace: a region whose transfers
 * each lead to the next block is the superblock of a single path, which is what lockstep
 * checking compiles to pin a bug.)
 */
export interface Trace {
  /** The blocks' instructions, block after block (block 0 is the entry). */
  readonly insns: readonly Insn[];
  /** Offset of each instruction's first byte from the entry EIP. */
  readonly at: readonly number[];
  /** Index in `insns` of each block's first instruction. */
  readonly starts: readonly number[];
  /** Per block: the block its direct transfer's target is (a jump, call or taken branch), or -1. */
  readonly taken: readonly number[];
  /** Per block: the block it falls through to (a branch not taken, a block cut short), or -1. */
  readonly fall: readonly number[];
  /**
   * Per block ending in a computed transfer (RET, an indirect call or jump): the blocks its
   * target is checked against, in order (the return sites of the region's calls, or where the
   * transfer went when the interpreter ran it).
   */
  readonly dyn: readonly (readonly number[])[];
}

/**
 * Most blocks and instructions in a region (a path without a back edge runs at most that many).
 * Small regions do best: TurboFan's time grows faster than a function's size, and until it has
 * optimized a function, running it is slower than interpreting (measured in BENCHMARKS.md).
 */
export const MAX_TRACE_BLOCKS = 4;
export const MAX_TRACE_INSNS = 24;

/** The region of `block` alone (its instructions back to back, no internal transfers). */
export function singleBlockTrace(block: { readonly insns: readonly Insn[] }): Trace {
  const at: number[] = [];
  let off = 0;
  for (const i of block.insns) {
    at.push(off);
    off += i.len;
  }
  return { insns: block.insns, at, starts: [0], taken: [-1], fall: [-1], dyn: [[]] };
}

/** A region's arrays, empty, to fill block by block. */
function emptyRegion() {
  return {
    insns: [] as Insn[],
    at: [] as number[],
    starts: [] as number[],
    taken: [] as number[],
    fall: [] as number[],
    dyn: [] as number[][],
  };
}

/** Offset just past instruction `k` of `t` (where it falls through to). */
export function afterOf(t: Trace, k: number): number {
  return t.at[k] + t.insns[k].len;
}

/** Index past the last instruction of block `j`. */
export function blockEnd(t: Trace, j: number): number {
  return j + 1 < t.starts.length ? t.starts[j + 1] : t.insns.length;
}

/** How a block's last instruction continues, when the region can follow it. */
type Transfer = 'jump' | 'call' | 'jcc' | 'ret' | 'callIndirect' | 'jumpIndirect';

/** The transfers a region follows: 32-bit operand and address forms, no prefixes that change them. */
function transferOf(i: Insn): Transfer | undefined {
  if (!i.a32 || !i.o32 || i.lock || i.rep) return undefined;
  const o = i.opc;
  if (o === 0xe9 || o === 0xeb) return 'jump';
  if (o === 0xe8) return 'call';
  if ((o >= 0x70 && o <= 0x7f) || (o >= 0x180 && o <= 0x18f)) return 'jcc';
  if (o === 0xc3) return 'ret';
  if (o === 0xff && i.reg === 2) return 'callIndirect';
  if (o === 0xff && i.reg === 4) return 'jumpIndirect';
  return undefined;
}

/**
 * Where a block at offset `off` may go (offsets from the entry): its direct `target`, the
 * instruction `after` it (falling through, or a call's return site), and `seen`, where its
 * computed transfer went when the interpreter last ran it.
 */
function successors(
  b: Block,
  off: number,
): { kind: Transfer | undefined; target?: number; after?: number; seen?: number } {
  const insns = b.insns;
  const last = insns[insns.length - 1];
  const lastOff = insns.slice(0, -1).reduce((o, i) => o + i.len, off);
  const after = lastOff + last.len;
  const kind = transferOf(last);
  const target = after + (last.imm | 0);
  const seen = b.exitDelta === undefined ? undefined : off + b.exitDelta;
  switch (kind) {
    case 'jump':
      return { kind, target };
    case 'call':
      return { kind, target, after };
    case 'jcc':
      return { kind, target, after };
    case 'callIndirect':
      return { kind, after, seen };
    case 'jumpIndirect':
      return { kind, seen };
    case 'ret':
      return { kind, seen };
  }
  // A block cut short (not by a transfer) goes on at the next instruction.
  return { kind, after: last.ends ? undefined : after };
}

/**
 * The region entered at `block`: the blocks reachable from it whose starts stay on the entry's
 * linear page (so on one physical page, whose code writes drop the whole region), breadth
 * first, within `MAX_TRACE_BLOCKS` and `MAX_TRACE_INSNS`. It follows direct transfers both ways,
 * calls into their callee and on to their return site (where the callee's RET goes, when it
 * returns to it), and computed calls and jumps to where the interpreter last saw them go (the
 * compiled code checks the target). Blocks are ordered so that transfers go forward except
 * around loops; only a loop back to the entry stays inside the function.
 * `blockAt(offset)` returns the cached block at entry EIP + offset, or undefined when there is
 * none to follow (outside the code segment, not cacheable, a decode fault).
 */
export function buildTrace(
  block: Block,
  entryLinear: number,
  blockAt: (offset: number) => Block | undefined,
): Trace {
  const page = Math.floor(entryLinear / 4096);
  const found = new Map<number, Block>([[0, block]]);
  const queue = [0];
  const returnSites: number[] = [];
  let count = block.insns.length;
  for (let q = 0; q < queue.length; q++) {
    const s = successors(found.get(queue[q])!, queue[q]);
    if ((s.kind === 'call' || s.kind === 'callIndirect') && s.after !== undefined) returnSites.push(s.after);
    for (const next of [s.after, s.target, s.seen]) {
      if (next === undefined || found.has(next) || found.size >= MAX_TRACE_BLOCKS) continue;
      if (Math.floor((entryLinear + next) / 4096) !== page) continue;
      const b = blockAt(next);
      if (b === undefined || count + b.insns.length > MAX_TRACE_INSNS) continue;
      found.set(next, b);
      queue.push(next);
      count += b.insns.length;
    }
  }
  // The region's edges between block offsets: direct ones, and the guarded computed ones.
  const edges = new Map<number, { taken?: number; fall?: number; dyn: number[] }>();
  for (const [off, b] of found) {
    const s = successors(b, off);
    const has = (o: number | undefined) => (o !== undefined && found.has(o) ? o : undefined);
    const direct = s.kind === 'jump' || s.kind === 'call' || s.kind === 'jcc';
    const dyn =
      s.kind === 'ret'
        ? [...returnSites, s.seen, 0]
        : s.kind === 'callIndirect' || s.kind === 'jumpIndirect'
          ? [s.seen, 0]
          : [];
    edges.set(off, {
      taken: direct ? has(s.target) : undefined,
      fall: s.kind === 'jcc' || s.kind === undefined ? has(s.after) : undefined,
      // (the entry too: a computed transfer back to it, through a function pointer, goes round)
      dyn: [...new Set(dyn.filter((o): o is number => has(o) !== undefined))],
    });
  }
  // Reverse postorder from the entry: every edge goes forward except those closing a loop.
  const order: number[] = [];
  const visited = new Set<number>();
  const visit = (off: number): void => {
    visited.add(off);
    const e = edges.get(off)!;
    for (const next of [e.taken, e.fall, ...e.dyn].reverse())
      if (next !== undefined && !visited.has(next)) visit(next);
    order.push(off);
  };
  visit(0);
  order.reverse();
  const index = new Map(order.map((off, j) => [off, j]));
  const idx = (o: number | undefined) => (o === undefined ? -1 : (index.get(o) ?? -1));
  const { insns, at, starts, taken, fall, dyn } = emptyRegion();
  for (const off of order) {
    starts.push(insns.length);
    let o = off;
    for (const i of found.get(off)!.insns) {
      insns.push(i);
      at.push(o);
      o += i.len;
    }
    const e = edges.get(off)!;
    taken.push(idx(e.taken));
    fall.push(idx(e.fall));
    dyn.push(e.dyn.map(idx));
  }
  return { insns, at, starts, taken, fall, dyn };
}

/**
 * The single path `path` (block indices of `t`, each a direct successor of the one before) as a
 * region of its own, cut after `n` instructions: its transfers lead only to the next block of
 * the path. Lockstep checking compiles these prefixes of what ran to name the first instruction
 * whose compiled form differs.
 */
export function pathPrefix(t: Trace, path: readonly number[], n: number): Trace {
  const { insns, at, starts, taken, fall, dyn } = emptyRegion();
  for (let p = 0; p < path.length && insns.length < n; p++) {
    const j = path[p];
    starts.push(insns.length);
    const end = Math.min(blockEnd(t, j), t.starts[j] + n - insns.length);
    for (let k = t.starts[j]; k < end; k++) {
      insns.push(t.insns[k]);
      at.push(t.at[k]);
    }
    const whole = end === blockEnd(t, j);
    // (the next block of the path, when it is part of the prefix too)
    const next = p + 1 < path.length && whole && insns.length < n ? path[p + 1] : -2;
    taken.push(t.taken[j] === next ? starts.length : -1);
    fall.push(t.fall[j] === next ? starts.length : -1);
    dyn.push(t.dyn[j].includes(next) ? [starts.length] : []);
  }
  return { insns, at, starts, taken, fall, dyn };
}
