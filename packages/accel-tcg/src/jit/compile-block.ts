import type { Block } from '../exec/block-cache.js';
import type { Cpu } from '../exec/cpu.js';
import { CpuFault, Vec } from '../exec/fault.js';
import { condition, lazyCarry, parity } from '../exec/flags.js';
import { mulS32, mulU32, product } from '../ops/muldiv.js';
import { Access, BlockEmitter, type Exit } from './block-emitter.js';
import { type FunctionMaker, makeFunction } from './function-support.js';
import type { Trace } from './trace.js';
import { translate } from './translate.js';

/** A compiled trace: runs on `c` and says how it left (a static exit's slot, or an `Exit`). */
export type CompiledBlock = (c: Cpu) => Exit | number;

/** PF by result byte, as the generated code reads it. */
const PARITY = Uint8Array.from({ length: 256 }, (_, v) => parity(v));

/**
 * Helpers the generated code calls on its slow paths. `done` is how many instructions of the
 * trace completed before the calling one: a fault adds them to `c.retired` on its way out (the
 * generated code has already stored the rest of the interpreter's state at that instruction).
 */
const HELPERS = {
  gp(c: Cpu, done: number): never {
    c.retired += done;
    throw new CpuFault(Vec.GP, 0);
  },
  /**
   * A memory access's slow path (TLB miss, MMIO, code page, page crossing, limits): a read
   * (`Access.Read`), a read for read-modify-write or a write of `size` bytes.
   */
  access(c: Cpu, done: number, kind: Access, seg: number, off: number, size: number, v: number): number {
    try {
      if (kind === Access.Read) return c.read(seg, off, size);
      if (kind === Access.ReadRmw) return c.readRmw(seg, off, size);
      c.write(seg, off, size, v);
      return 0;
    } catch (e) {
      c.retired += done;
      throw e;
    }
  },
  condition,
  carry: lazyCarry,
  // The interpreter's 32×32 → 64 products (MUL/IMUL read `product` after them).
  mulU32,
  mulS32,
  product,
};

/** A test hook: rewrites the generated source of a block (to plant a bug the lockstep harness must catch). */
export type SourceHook = (source: string, block: Block) => string;

export interface CompiledSource {
  readonly fn: CompiledBlock;
  readonly source: string;
  /** How many of the trace's instructions were translated (the rest run their handlers). */
  readonly translated: number;
  /** Its static exits (the link slots the run loop keeps for it). */
  readonly slots: number;
  /** Segments it assumes flat (`Cpu.flatMask` bits): it may only run while they are. */
  readonly assumedFlat: number;
}

/** Generate the JavaScript source of `trace` (32-bit code). */
export function traceSource(
  trace: Trace,
  name: string,
  flatMask = 0,
): { source: string; translated: number; slots: number; assumedFlat: number } {
  const insns = trace.insns;
  const e = new BlockEmitter(trace, flatMask);
  let translated = 0;
  // One run of instructions: the main path, or a side block (emitted inside its branch).
  e.emitRun = (from, to) => {
    let exited = false;
    for (let k = from; k < to; k++) {
      if (translate(e, k, insns[k])) {
        translated++;
        // Near transfers that are not followed emit their own exits (they end the run).
        exited = insns[k].ends && trace.follow[k] === undefined;
      } else {
        e.callHandler(k);
        exited = e.isLast(k);
      }
    }
    if (!exited) {
      // (falling through back to the entry: a loop whose branch is followed out of it)
      if (e.targetsEntry(to - 1, 0)) e.loopBack(to);
      else e.staticExit(to, e.nextEip(to - 1));
    }
  };
  e.emitRun(0, trace.mainLength);
  return { source: e.source(name), translated, slots: e.slots, assumedFlat: e.assumedFlat };
}

/** Compile `trace` (entered at `block`) for `cpu` (its MMU arrays are bound into the function). */
export function compileTrace(
  cpu: Cpu,
  block: Block,
  trace: Trace,
  options: { hook?: SourceHook; make?: FunctionMaker } = {},
): CompiledSource {
  const name = `block_${block.key.toString(16)}`;
  const { source: generated, translated, slots, assumedFlat } = traceSource(trace, name, cpu.flatMask);
  const source = options.hook ? options.hook(generated, block) : generated;
  const make = options.make ?? makeFunction;
  const factory = make(['H', 'I', 'X', 'M', 'MM', 'MV', 'MO', 'P'], source);
  const handlers = trace.insns.map((i) => i.exec);
  const fn = factory(
    handlers,
    trace.insns,
    HELPERS,
    cpu.mmu,
    cpu.mmu.mem,
    cpu.mmu.view,
    cpu.mmu.off,
    PARITY,
  ) as CompiledBlock;
  return { fn, source, translated, slots, assumedFlat };
}
