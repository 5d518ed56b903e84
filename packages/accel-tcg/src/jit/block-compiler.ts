import type { Block } from '../exec/block-cache.js';
import type { Cpu } from '../exec/cpu.js';
import { Seg } from '../exec/cpu.js';
import { type CompiledBlock, compileTrace, type SourceHook } from './compile-block.js';
import { canMakeFunctions } from './function-support.js';
import { DEFAULT_CODE_BUDGET_BYTES, defaultHotThreshold, type JitMode, type TcgOptions } from './options.js';
import { buildTrace, singleBlockTrace } from './trace.js';

let noticeGiven = false;

/**
 * Decides which blocks to compile and keeps compiled code within its budget. A block is
 * compiled once it has been entered `hotThreshold` times through the dispatcher (cold code stays
 * interpreted: most blocks of a boot run a handful of times). Only 32-bit code is compiled.
 * When the generated source of one vCPU exceeds the budget, all its compiled code is dropped
 * (the blocks stay decoded and recompile when hot again), as QEMU flushes its code buffer.
 */
export class BlockCompiler {
  readonly mode: JitMode;
  /** False when off, or when the host refuses `new Function` (Content-Security-Policy). */
  readonly enabled: boolean;
  readonly threshold: number;
  readonly budget: number;
  /** Bytes of generated source currently held. */
  bytes = 0;
  compiledCount = 0;
  evictions = 0;
  private readonly liveSet = new Set<Block>();
  /**
   * Physical page → times its compiled code was dropped by code writes. A page that keeps being
   * rewritten (a guest generating code) needs twice the entries per drop before it is compiled
   * again: compiling costs about a hundred interpreted runs of the block.
   */
  private readonly rewrites = new Map<number, number>();
  /** Test hook: rewrites generated source (plants bugs for the lockstep harness). */
  hook: SourceHook | undefined;

  /** Whether compiled code follows direct transfers on the same page (`TcgOptions.traces`). */
  readonly traces: boolean;

  constructor(
    private readonly cpu: Cpu,
    options: TcgOptions,
    mode: JitMode,
    /** The cached block at an EIP of the current code segment (undefined: none to follow). */
    private readonly blockAt: (eip: number) => Block | undefined,
  ) {
    this.traces = options.traces ?? true;
    this.mode = mode;
    let enabled = mode !== 'off';
    if (enabled && !canMakeFunctions()) {
      enabled = false;
      if (!noticeGiven) {
        noticeGiven = true;
        const msg =
          'tsvm accel-tcg: this host forbids new Function (Content-Security-Policy without unsafe-eval); the block compiler is off and every block is interpreted';
        (options.notice ?? ((m: string) => console.warn(m)))(msg);
      }
    }
    this.enabled = enabled;
    this.threshold = options.hotThreshold ?? (mode === 'lockstep' ? 0 : defaultHotThreshold());
    this.budget = options.codeBudgetBytes ?? DEFAULT_CODE_BUDGET_BYTES;
  }

  /** Count an entry of an interpreted block; compile it when it is hot. */
  consider(block: Block): void {
    if (!this.enabled || block.key < 0 || !this.cpu.code32) return;
    const backoff = this.rewrites.get(block.physPage) ?? 0;
    if (++block.hits <= this.threshold * 2 ** Math.min(backoff, 12)) return;
    this.compile(block);
  }

  compile(block: Block): CompiledBlock {
    const c = this.cpu;
    const e0 = c.eip;
    const trace = this.traces
      ? buildTrace(block, (c.sbase[Seg.CS] + e0) >>> 0, e0, (off) => this.blockAt((e0 + off) >>> 0))
      : singleBlockTrace(block);
    const { fn, source, slots, assumedFlat } = compileTrace(c, block, trace, { hook: this.hook });
    if (this.bytes + source.length > this.budget) this.evictAll();
    this.bytes += source.length;
    this.compiledCount++;
    block.fn = fn;
    block.trace = trace;
    block.links = new Array(slots).fill(undefined);
    block.linkGen = new Array(slots).fill(-1);
    block.fnBytes = source.length;
    block.ss32 = this.cpu.ss32;
    block.flat = assumedFlat;
    block.spans = trace.insns.length > block.insns.length;
    this.liveSet.add(block);
    return fn;
  }

  /** The blocks whose compiled code is current (tests look at their traces). */
  live(): ReadonlySet<Block> {
    return this.liveSet;
  }

  /** A code write dropped `block`: its compiled code no longer counts against the budget. */
  forget(block: Block): void {
    if (!this.liveSet.delete(block)) return;
    if (this.rewrites.size >= 65536) this.rewrites.clear();
    this.rewrites.set(block.physPage, (this.rewrites.get(block.physPage) ?? 0) + 1);
    this.bytes -= block.fnBytes;
    block.fn = undefined;
    block.trace = undefined;
    block.links.fill(undefined);
  }

  /** Drop every compiled function (budget reached, or the block cache was cleared). */
  evictAll(): void {
    for (const b of this.liveSet) {
      b.fn = undefined;
      b.trace = undefined;
      b.hits = 0;
      b.links.fill(undefined);
    }
    this.liveSet.clear();
    this.bytes = 0;
    this.evictions++;
  }
}

/** Reset the once-per-process CSP notice (tests). */
export function forgetNotice(): void {
  noticeGiven = false;
}
