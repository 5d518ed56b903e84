import type { Block } from '../exec/block-cache.js';
import type { Cpu } from '../exec/cpu.js';
import { CpuFault, Vec } from '../exec/fault.js';
import { condition, lazyCarry, parity } from '../exec/flags.js';
import { BlockEmitter, Exit } from './block-emitter.js';
import { type FunctionMaker, makeFunction } from './function-support.js';
import { translate } from './translate.js';

/** A compiled block: runs the whole block on `c` and says how it left (an `Exit`). */
export type CompiledBlock = (c: Cpu) => Exit;

/** PF by result byte, as the generated code reads it. */
const PARITY = Uint8Array.from({ length: 256 }, (_, v) => parity(v));

/** Helpers the generated code calls on its slow paths. */
const HELPERS = {
  gp(): never {
    throw new CpuFault(Vec.GP, 0);
  },
  condition,
  carry: lazyCarry,
};

/** A test hook: rewrites the generated source of a block (to plant a bug the lockstep harness must catch). */
export type SourceHook = (source: string, block: Block) => string;

export interface CompiledSource {
  readonly fn: CompiledBlock;
  readonly source: string;
  /** How many of the block's instructions were translated (the rest run their handlers). */
  readonly translated: number;
}

/** Generate the JavaScript source of `block` (32-bit code), or of its first `upTo` instructions. */
export function blockSource(block: Block, upTo = block.insns.length): { source: string; translated: number } {
  const insns = block.insns.slice(0, upTo);
  const offsets: number[] = [0];
  for (const i of insns) offsets.push(offsets[offsets.length - 1] + i.len);
  const e = new BlockEmitter(insns, offsets);
  let translated = 0;
  let exited = false;
  for (let k = 0; k < insns.length; k++) {
    if (translate(e, k, insns[k])) {
      translated++;
      // Near transfers emit their own exits (they always end a block).
      exited = insns[k].ends;
    } else {
      e.callHandler(k);
      exited = k === insns.length - 1;
    }
  }
  if (!exited)
    e.exit(insns.length, e.eipAt(insns.length), upTo < block.insns.length ? Exit.Dispatch : Exit.Next);
  const name = `block_${block.key.toString(16)}`;
  return { source: e.source(name), translated };
}

/** Compile `block` for `cpu` (its MMU arrays are bound into the function). */
export function compileBlock(
  cpu: Cpu,
  block: Block,
  options: { upTo?: number; hook?: SourceHook; make?: FunctionMaker } = {},
): CompiledSource {
  const { source: generated, translated } = blockSource(block, options.upTo);
  const source = options.hook ? options.hook(generated, block) : generated;
  const make = options.make ?? makeFunction;
  const factory = make(['H', 'I', 'X', 'M', 'MM', 'MO', 'P'], source);
  const handlers = block.insns.map((i) => i.exec);
  const fn = factory(
    handlers,
    block.insns,
    HELPERS,
    cpu.mmu,
    cpu.mmu.mem,
    cpu.mmu.off,
    PARITY,
  ) as CompiledBlock;
  return { fn, source, translated };
}
