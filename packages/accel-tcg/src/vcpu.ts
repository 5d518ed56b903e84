import { formatCpuState, MpState, type X86CpuState } from '@tsvm/arch-x86';
import type { AcceleratorVcpu, RunLimits, VcpuBinding, VcpuExit } from '@tsvm/core';
import { type Block, BlockCache } from './exec/block-cache.js';
import { Cpu } from './exec/cpu.js';
import { CpuFault, NotImplemented, TripleFault, Vec } from './exec/fault.js';
import { IF, RF, TF } from './exec/flags.js';
import { HostDebug } from './exec/host-debug.js';
import { EventKind, raiseException } from './exec/interrupts.js';
import { BlockCompiler } from './jit/block-compiler.js';
import { Exit } from './jit/block-emitter.js';
import { LockstepChecker } from './jit/lockstep.js';
import { defaultJitMode, type TcgOptions } from './jit/options.js';
import { MAX_TRACE_INSNS, type Trace } from './jit/trace.js';
import { CodePages } from './mmu/code-pages.js';
import { hasBreakpoints, watchpointsOf } from './mmu/watchpoints.js';

/** Blocks between looks at the virtual clock. */
const CLOCK_CHECK_BLOCKS = 256;
/**
 * Compiled traces run back to back between looks at the clock: more than interpreted blocks, as
 * each is cheaper than the look; and at most this many instructions, however much looping code
 * goes round inside its function (about a fifth of a millisecond).
 */
const CLOCK_CHECK_TRACES = 2048;
const CLOCK_CHECK_INSNS = 65536;

const NO_WATCHPOINTS: readonly never[] = [];

/** One vCPU of the TS executor. The canonical `X86CpuState` is its live state. */
export class TcgVcpu implements AcceleratorVcpu {
  readonly cpu: Cpu;
  readonly cache: BlockCache;
  /** The block compiler (its `enabled` is false with `jit: 'off'` or where `new Function` is refused). */
  readonly jit: BlockCompiler;
  /** Set in `lockstep` mode: every compiled block is checked against the interpreter. */
  readonly lockstep: LockstepChecker | undefined;
  private readonly state: X86CpuState;
  /** Breakpoints and single-step for a host debugger (core's optional debug capability). */
  readonly debug = new HostDebug();

  constructor(
    private readonly binding: VcpuBinding,
    code: CodePages = new CodePages(),
    options: TcgOptions = {},
  ) {
    this.state = binding.state as X86CpuState;
    this.cache = new BlockCache(() => this.cpu, code);
    this.cpu = new Cpu(this.state, binding.memory, binding.ports, code);
    this.jit = new BlockCompiler(this.cpu, options, options.jit ?? defaultJitMode(), (eip) =>
      this.cache.blockAt(this.cpu, eip),
    );
    this.cache.onClear = () => this.jit.evictAll();
    this.cache.onInvalidate = (b) => this.jit.forget(b);
    if (this.jit.enabled && this.jit.mode === 'lockstep')
      this.lockstep = new LockstepChecker(
        this.cpu,
        (block, trace) => this.interpretTrace(block, trace),
        () => this.jit.hook,
      );
    code.attach({
      dropFastWrites: (page) => this.cpu.mmu.dropFastWrites(page),
      invalidateCode: (page) => this.cache.invalidatePage(page),
    });
    this.cpu.exitRequested = () => binding.exitRequested();
    this.cpu.cpuOutput = (line, level) => binding.interrupts.cpuOutput?.(line, level);
    this.cpu.nowNs = () => binding.nowNs();
  }

  /** Drop translated code and the TLB (system reset, snapshot load, memory map change). */
  reset(): void {
    this.cache.clear();
    this.cpu.mmu.flush();
    this.cpu.halted = false;
  }

  /** Instructions retired so far (for benchmarks and tests). */
  get instructionsRetired(): number {
    return this.cpu.retired;
  }

  run(limits: RunLimits): VcpuExit {
    const c = this.cpu;
    const s = this.state;
    // Application processors wait for INIT/SIPI (delivered by a local APIC editing the state).
    if (s.mpState === MpState.Uninitialized || s.mpState === MpState.InitReceived) {
      return { kind: 'halt', wakeable: true };
    }
    if (s.mpState === MpState.SipiReceived) {
      // Start-up IPI: real mode at VV00:0000.
      s.cs.selector = (s.events.sipiVector & 0xff) << 8;
      s.cs.base = (s.events.sipiVector & 0xff) << 12;
      s.eip = 0;
      s.mpState = MpState.Runnable;
    }
    c.loadFromState();
    c.halted = s.mpState === MpState.Halted;
    try {
      return this.loop(limits);
    } catch (e) {
      if (e instanceof TripleFault) return { kind: 'shutdown', reason: e.reason };
      const where = `${s.cs.selector.toString(16).padStart(4, '0')}:${(c.ip >>> 0).toString(16).padStart(8, '0')}`;
      const message =
        e instanceof NotImplemented
          ? `not implemented in accel-tcg: ${e.message} (at CS:EIP ${where})`
          : `execution failed at CS:EIP ${where}: ${(e as Error)?.stack ?? e}`;
      // Leave EIP at the instruction that could not be executed (the dump shows it).
      c.eip = c.ip;
      c.storeToState();
      return { kind: 'error', message, dump: formatCpuState(this.state) };
    } finally {
      c.storeToState();
      this.state.mpState = c.halted ? MpState.Halted : MpState.Runnable;
    }
  }

  /** Take an NMI or a maskable interrupt if one is pending and allowed. Returns true if one was delivered. */
  private takeInterrupt(): boolean {
    const c = this.cpu;
    const lines = this.binding.interrupts;
    if (c.shadow) {
      c.shadow = false;
      return false;
    }
    if (!c.nmiMasked && lines.hasNmi()) {
      lines.takeNmi();
      c.nmiMasked = true;
      raiseException(c, Vec.NMI, -1, EventKind.External);
      return true;
    }
    if (c.flags & IF && lines.hasInterrupt()) {
      const vector = lines.acknowledge();
      raiseException(c, vector & 0xff, -1, EventKind.External);
      return true;
    }
    return false;
  }

  private loop(limits: RunLimits): VcpuExit {
    const c = this.cpu;
    const binding = this.binding;
    const cache = this.cache;
    const jit = this.jit.enabled ? this.jit : undefined;
    const maxInsns = limits.maxInstructions ?? Number.POSITIVE_INFINITY;
    const startRetired = c.retired;
    const host = this.debug;
    let blocks = 0;
    for (;;) {
      // Maskable interrupts are looked for at every block boundary while IF is set; the NMI
      // line (and a pending interrupt shadow) every 16 blocks otherwise. A debugger's single
      // step takes none (as QEMU's gdbstub: the step lands on the next instruction, not a handler).
      if (!host.singleStep && (c.flags & IF || (blocks & 15) === 0)) this.takeInterrupt();
      if (c.halted) return { kind: 'halt', wakeable: (c.flags & IF) !== 0 };
      // A host debugger forces the one-instruction path too: compiled/cached blocks would run past
      // its breakpoints.
      const singleStep = (c.flags & TF) !== 0 || hasBreakpoints(this.state.dr7) || host.active;
      // Data breakpoints are watched only while stepping one instruction at a time.
      if (singleStep) {
        const guest = watchpointsOf(this.state);
        c.mmu.setWatchpoints(host.watchpoints.length ? [...guest, ...host.watchpoints] : guest);
      } else if (c.mmu.watching) c.mmu.setWatchpoints(NO_WATCHPOINTS);
      let block: Block;
      // Faults before the first instruction runs (instruction fetch, breakpoints) report this EIP.
      c.ip = c.eip;
      // Instructions of an interpreted block completed before a fault (they count as retired).
      let k = 0;
      try {
        block = singleStep ? cache.single(c) : cache.lookup(c);
        if (jit !== undefined && !singleStep) {
          if (block.fn === undefined) jit.consider(block);
          if (block.fn !== undefined && this.mayEnter(block, startRetired, maxInsns)) {
            if (this.lockstep) {
              cache.current = block;
              c.breakBlock = false;
              this.lockstep.run(block);
            } else {
              const ran = this.runCompiled(block, blocks, startRetired, maxInsns);
              // (a chain that ran its instruction budget makes the clock look due)
              blocks = ran < 0 ? CLOCK_CHECK_BLOCKS - 1 : blocks + ran - 1;
            }
            block = undefined as unknown as Block;
          }
        }
        if (block !== undefined) {
          // RF suppresses instruction breakpoints for one instruction, then clears (unless that
          // instruction, an IRET, loaded it afresh).
          const rfBefore = c.flags & RF;
          // The single-step trap follows an instruction that *began* with TF set (so the POPF
          // that clears TF still traps, the one that sets it does not), unless it delivered an
          // interrupt itself (INT n clears TF on the way into the handler).
          const tfBefore = c.flags & TF;
          const deliveriesBefore = c.deliveries;
          if (singleStep) {
            if (host.active) {
              const lin = (c.sbase[1] + c.eip) >>> 0;
              if (host.breakpointAt(lin)) {
                host.skipAt = lin;
                return { kind: 'debug', reason: 'breakpoint', address: lin };
              }
              host.skipAt = undefined;
            }
            this.checkBreakpoints();
            c.ssShadow = false;
            c.mmu.watchHits = 0;
          }
          cache.current = block;
          c.breakBlock = false;
          const insns = block.insns;
          const n = insns.length;
          for (; k < n; k++) {
            const insn = insns[k];
            c.ip = c.eip;
            c.eip = c.code32 ? (c.eip + insn.len) >>> 0 : (c.eip + insn.len) & 0xffff;
            insn.exec(c, insn);
            if (c.breakBlock) {
              k++;
              break;
            }
          }
          c.retired += k;
          // Where the block's final transfer went (the compiler's traces follow it that way).
          if (jit !== undefined && k === n) {
            if (block.endsInJcc) {
              if (c.eip === (c.ip + insns[n - 1].len) >>> 0) block.notTaken++;
              else block.taken++;
            } else if (block.endsComputed) {
              if (c.eip === block.lastTarget) block.targetRepeats++;
              else {
                block.lastTarget = c.eip;
                block.targetRepeats = 0;
              }
            }
          }
          k = 0;
          if (singleStep) {
            if (rfBefore) c.flags &= ~RF;
            // MOV SS / POP SS hold the single-step trap back until the next instruction completes.
            const ssInhibit = c.ssShadow;
            c.ssShadow = false;
            const step = tfBefore && c.deliveries === deliveriesBefore && !c.halted && !ssInhibit;
            // A data breakpoint traps after the instruction that touched it (B0-B3 in DR6).
            const allHits = c.mmu.watchHits;
            const hits = allHits & 0xf;
            c.mmu.watchHits = 0;
            if (step || hits) {
              const dr6 = hits ? (this.state.dr6 & ~0xf) | hits : this.state.dr6;
              this.state.dr6 = (dr6 | (step ? 0x4000 : 0)) >>> 0;
              raiseException(c, Vec.DB, -1);
            }
            const watched = allHits & ~0xf ? host.watchpointHit(allHits) : undefined;
            if (watched) {
              cache.current = undefined;
              const kind = watched.breakpoint.kind as 'write' | 'read' | 'access';
              const address = (c.sbase[1] + c.eip) >>> 0;
              return {
                kind: 'debug',
                reason: 'watchpoint',
                address,
                dataAddress: watched.watch.lin,
                watchKind: kind,
              };
            }
            if (host.singleStep) {
              cache.current = undefined;
              return { kind: 'debug', reason: 'step', address: (c.sbase[1] + c.eip) >>> 0 };
            }
          }
        }
      } catch (e) {
        if (!(e instanceof CpuFault)) throw e;
        if (!e.trap) c.eip = c.ip;
        // The instructions before the faulting one completed; the faulting one counts too.
        c.retired += k + 1;
        raiseException(c, e.vector, e.errorCode);
        // A faulting instruction under a debugger's single step stops at the handler's first instruction.
        if (host.singleStep) {
          cache.current = undefined;
          return { kind: 'debug', reason: 'step', address: (c.sbase[1] + c.eip) >>> 0 };
        }
      }
      cache.current = undefined;
      if (c.mmu.ioHappened) {
        c.mmu.ioHappened = false;
        c.breakBlock = true;
      }
      if (c.breakBlock && binding.exitRequested()) return { kind: 'yield' };
      if (++blocks >= CLOCK_CHECK_BLOCKS) {
        blocks = 0;
        if (binding.nowNs() >= limits.deadlineNs || binding.exitRequested()) return { kind: 'yield' };
      }
      if (c.retired - startRetired >= maxInsns) return { kind: 'yield' };
    }
  }

  /**
   * Whether compiled `b` may run now: it was generated for this stack size and these flat
   * segments; and a trace that spans blocks only while the dispatcher would not act between
   * them (no event waiting, the instruction limit more than a trace away), so interrupts and
   * deadlines fall on the block boundaries the interpreter uses. Otherwise the block is
   * interpreted. (`runCompiled` repeats this inline for the blocks it chains to.)
   */
  private mayEnter(b: Block, startRetired: number, maxInsns: number): boolean {
    const c = this.cpu;
    if (b.ss32 !== c.ss32 || (b.flat & ~c.flatMask) !== 0) return false;
    if (!b.spans) return true;
    if (c.retired - startRetired + MAX_TRACE_INSNS >= maxInsns) return false;
    const lines = this.binding.interrupts;
    return !c.shadow && !lines.hasNmi() && !lines.hasInterrupt();
  }

  /**
   * Run compiled `block` and, while nothing could make the dispatcher act differently, the
   * compiled blocks that follow it: no interrupt or NMI pending, no interrupt shadow, no stop
   * request, I/O or self-modifying store, fewer than the clock-check period of blocks so far and
   * the instruction limit not reached. Static exits follow direct links (same physical page,
   * same MMU generation); computed ones use the jump cache. Returns the number of blocks run, or
   * -1 when the chain ran its instruction budget (the clock is then due a look).
   */
  private runCompiled(block: Block, blocksSoFar: number, startRetired: number, maxInsns: number): number {
    const c = this.cpu;
    const cache = this.cache;
    const lines = this.binding.interrupts;
    const chain = !c.shadow && !lines.hasNmi() && !lines.hasInterrupt();
    const mmu = c.mmu;
    // The instruction limit, and the count below which a trace that spans blocks may start.
    const stopAt = startRetired + maxInsns;
    const traceStop = stopAt - MAX_TRACE_INSNS;
    const clockStop = c.retired + CLOCK_CHECK_INSNS;
    // Looping code goes round only while no event waits, the limit is more than a trace away and
    // the clock is not due a look.
    c.loopStop = chain ? Math.min(traceStop, clockStop) : 0;
    const budget = CLOCK_CHECK_TRACES - blocksSoFar;
    let b = block;
    let ran = 0;
    // (set again only by the code that runs; the chain ends when it is)
    c.breakBlock = false;
    for (;;) {
      cache.current = b;
      const exit = b.fn!(c);
      ran++;
      if (
        !chain ||
        exit === Exit.Dispatch ||
        c.breakBlock ||
        mmu.ioHappened ||
        ran >= budget ||
        c.retired >= stopAt
      )
        return ran;
      if (c.retired >= clockStop) return -1;
      let next: Block | undefined;
      // (c.ip: a fetch fault while looking up the next block belongs to that block's first instruction)
      if (exit === Exit.Lookup) {
        c.ip = c.eip;
        next = cache.lookup(c);
      } else {
        next = b.links[exit];
        if (next === undefined || !next.valid || b.linkGen[exit] !== mmu.generation) {
          c.ip = c.eip;
          next = cache.lookup(c);
          if (next.physPage === b.physPage && next.key >= 0) {
            b.links[exit] = next;
            b.linkGen[exit] = mmu.generation;
          }
        }
      }
      if (next.fn === undefined) {
        this.jit.consider(next);
        if (next.fn === undefined) return ran;
      }
      // mayEnter(next) with no event waiting (the chain goes on only then), inline.
      if (next.ss32 !== c.ss32 || (next.flat & ~c.flatMask) !== 0 || (next.spans && c.retired >= traceStop))
        return ran;
      b = next;
    }
  }

  /**
   * Interpret `trace` (entered at `block`) until the guest's path leaves it (lockstep checking's
   * reference run: a branch the other way than the trace follows ends it, unless it goes into
   * that branch's side block). Returns how many instructions ran and, when the path went into a
   * side block, the branch it left by (a fault propagates, its instruction not counted as retired).
   */
  private interpretTrace(block: Block, trace: Trace): { ran: number; via: number | undefined } {
    const c = this.cpu;
    this.cache.current = block;
    c.breakBlock = false;
    const e0 = c.eip;
    // `k` the instruction, `done` how many ran; the run ends at `end` (the main path, or the
    // side block a branch went into).
    let k = 0;
    let end = trace.mainLength;
    let done = 0;
    let via: number | undefined;
    try {
      while (k < end) {
        const insn = trace.insns[k];
        c.ip = c.eip;
        c.eip = c.code32 ? (c.eip + insn.len) >>> 0 : (c.eip + insn.len) & 0xffff;
        insn.exec(c, insn);
        done++;
        // (where the compiled code leaves: a stop request, a segment it assumed flat changed, or
        // a branch the other way than the trace follows and not into its side block)
        if (c.breakBlock || (block.flat & ~c.flatMask) !== 0) break;
        const side = trace.side[k];
        if (side !== undefined && c.eip === (e0 + trace.at[side.start]) >>> 0) {
          via = k;
          k = side.start;
          end = side.end;
          continue;
        }
        if (k + 1 < end && c.eip !== (e0 + trace.at[k + 1]) >>> 0) break;
        k++;
      }
    } catch (e) {
      c.retired += done;
      throw e;
    }
    c.retired += done;
    return { ran: done, via };
  }

  /** Instruction breakpoints (DR7 L/G bits with R/W = 00): #DB before the instruction runs. */
  private checkBreakpoints(): void {
    const c = this.cpu;
    const s = this.state;
    if (c.flags & RF) return;
    const lin = (c.sbase[1] + c.eip) >>> 0;
    let hits = 0;
    for (let n = 0; n < 4; n++) {
      const enabled = (s.dr7 >> (n * 2)) & 3;
      const rw = (s.dr7 >>> (16 + n * 4)) & 3;
      if (enabled && rw === 0 && Number(s.dr[n] & 0xffffffffn) === lin) hits |= 1 << n;
    }
    if (hits) {
      s.dr6 = ((s.dr6 & ~0xf) | hits) >>> 0;
      throw new CpuFault(Vec.DB);
    }
  }
}
