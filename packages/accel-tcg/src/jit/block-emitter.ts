import type { Insn } from '../decode/insn.js';
import { CS_SPANS_4G } from '../exec/cpu.js';
import type { FlagSource } from './flag-source.js';
import { afterOf, runEnd, type Trace } from './trace.js';

/**
 * What a compiled function returns: a static exit's slot (0, 1, …: a target known when it was
 * compiled, which the run loop links directly), or `Lookup` for a computed target (RET, indirect
 * jumps), or `Dispatch` after an instruction run by its handler, or a stop request: back to the
 * full dispatcher.
 */
export const enum Exit {
  Lookup = -1,
  Dispatch = -2,
}

/** The slow-path accesses of generated code (`X.access`'s `kind`). */
export const enum Access {
  Read = 0,
  ReadRmw = 1,
  Write = 2,
}

/** Most rounds of a looping trace per call (then back to the run loop, which looks at the clock). */
const LOOP_ROUNDS = 1024;

/** Where the registers are read back after a handler (filled in with the registers used). */
const RELOAD = '/*reload*/';

/**
 * Builds the JavaScript source of one trace. Generated-code conventions:
 *  - `c` the Cpu, `r` its register array, locals `r0`..`r7` hold the 32-bit registers the code
 *    names (int32) from entry to exit, written back at every exit, before every handler call and
 *    on a fault (registers it never names stay in `r`);
 *  - `e0` the EIP at entry (a trace's instructions sit at fixed offsets from it);
 *  - `t<n>` temporaries, declared at function level;
 *  - no try/catch around the body (it makes TurboFan's graphs larger and slower): a call that
 *    may fault (a memory access's slow path, a #GP check, a handler) first stores the state the
 *    interpreter would have at that instruction, and its helper adds the completed instructions
 *    to `c.retired` when it throws.
 *
 * Register design for long mode: a register lives in one local per 32-bit half; the 32-bit
 * executor uses only the low half. A 64-bit mode would add `h0`..`h15` locals and the matching
 * `gprHigh` array, with the same load/writeback points (see README "Block compiler").
 */
export class BlockEmitter {
  readonly out: string[] = [];
  private temps = 0;
  /** Registers changed since they were last written to `r`. */
  private dirty = new Set<number>();
  /** Flags not yet stored into `c` (undefined: `c` is current). */
  flags: FlagSource | undefined;
  /** Per translated instruction: the flags pending when it started (stored before a call that may fault). */
  readonly pendingAt = new Map<number, FlagSource | undefined>();
  /** The instruction being translated. */
  private current = 0;

  /** A memory access or handler call since the last block-boundary check (it may have done MMIO). */
  private mayHaveIo = false;

  /** A memory access or handler call anywhere in the trace. */
  private touchesMemory = false;
  /** Whether the code jumps back to its entry (the body then sits in a bounded loop). */
  private loops = false;

  /** Static exits emitted so far (each returns its own slot number). */
  slots = 0;
  readonly insns: readonly Insn[];
  /** Per instruction: the index just past its run (the main path, or its side block). */
  private readonly runEnds: readonly number[];
  /**
   * Instructions completed before instruction `k` on its path = `k + bias` (0 on the main path;
   * a side block's instructions sit after the main path in `insns`).
   */
  private bias = 0;
  /** Emits instructions `from` to `to - 1` (set by `traceSource`: the translator or their handlers). */
  emitRun: (from: number, to: number) => void = () => {
    throw new Error('block emitter: emitRun is not set');
  };

  /** Segments flat when compiled, whose accesses skip the base and range checks (`c.flatMask` bits). */
  private readonly flatNow: number;
  /** The flat segments the generated code relies on (checked before it runs, and after handlers). */
  assumedFlat = 0;

  constructor(
    readonly trace: Trace,
    flatMask = 0,
  ) {
    this.flatNow = flatMask;
    this.insns = trace.insns;
    this.runEnds = trace.insns.map((_, k) => runEnd(trace, k));
  }

  tmp(): string {
    return `t${this.temps++}`;
  }

  get tempCount(): number {
    return this.temps;
  }

  line(s: string): void {
    this.out.push(s);
  }

  /** EIP of instruction `k`. */
  eipAt(k: number): string {
    return `((e0 + ${this.trace.at[k]}) >>> 0)`;
  }

  /** Where execution goes on after instruction `k` when it does not leave (a store's resume point). */
  succEip(k: number): string {
    return k + 1 < this.runEnds[k] ? this.eipAt(k + 1) : this.nextEip(k);
  }

  /** Whether `k` is the last instruction of its run (the generated code leaves after it). */
  isLast(k: number): boolean {
    return k === this.runEnds[k] - 1;
  }

  /** Instructions completed before instruction `k` on its path. */
  private doneBefore(k: number): number {
    return k + this.bias;
  }

  /** EIP just past instruction `k` in memory (its fall-through, return address, branch base). */
  nextEip(k: number): string {
    return `((e0 + ${afterOf(this.trace, k)}) >>> 0)`;
  }

  // ---- registers ------------------------------------------------------------------------------

  /** Unsigned value of register `n` of `size` bytes (8-bit numbering AL CL DL BL AH CH DH BH). */
  get(n: number, size: number): string {
    if (size === 4) return `(r${n} >>> 0)`;
    if (size === 2) return `(r${n} & 65535)`;
    return n < 4 ? `(r${n} & 255)` : `((r${n - 4} >> 8) & 255)`;
  }

  /** Store `v` (any integer expression) into register `n` of `size` bytes. */
  set(n: number, size: number, v: string): void {
    if (size === 4) {
      this.line(`r${n} = ${v} | 0;`);
      this.dirty.add(n);
    } else if (size === 2) {
      this.line(`r${n} = (r${n} & -65536) | (${v} & 65535);`);
      this.dirty.add(n);
    } else if (n < 4) {
      this.line(`r${n} = (r${n} & -256) | (${v} & 255);`);
      this.dirty.add(n);
    } else {
      this.line(`r${n - 4} = (r${n - 4} & -65281) | ((${v} & 255) << 8);`);
      this.dirty.add(n - 4);
    }
  }

  private writeBackText(): string {
    return [...this.dirty].map((n) => `r[${n}] = r${n};`).join(' ');
  }

  private flagsText(): string {
    return this.flags ? this.flags.store() : '';
  }

  /** Leave for a target known now, through a new link slot. */
  staticExit(done: number, eip: string): void {
    this.exit(done, eip, this.slots++);
  }

  /** Leave the trace: state back into `c`, EIP, retired count. Changes nothing at compile time. */
  exit(done: number, eip: string, code: Exit | number): void {
    this.line(this.exitText(done, eip, code));
  }

  /** Stop after instruction `k` if a store invalidated this block or asked for an exit. */
  checkBreak(k: number): void {
    this.line(`if (c.breakBlock) { ${this.exitText(k + 1, this.succEip(k), Exit.Dispatch)} }`);
  }

  /** (`done` counts as for the main path: `k + 1` after instruction `k`.) */
  private exitText(done: number, eip: string, code: Exit | number): string {
    return `${this.writeBackText()} ${this.flagsText()} c.eip = ${eip}; c.retired += ${done + this.bias}; return ${code};`;
  }

  /** Whether a direct transfer `k` with displacement `disp` goes to the trace's entry. */
  targetsEntry(k: number, disp: number): boolean {
    return afterOf(this.trace, k) + disp === 0;
  }

  /**
   * Go round to the trace's entry after `done` instructions, instead of leaving through a static
   * exit: the state is stored as at an exit (the body starts with the registers and flags in
   * `c`), and the run loop's checks at a block boundary are repeated here — a bounded number of
   * rounds, the instruction limit (`c.loopStop`), MMIO — leaving through the exit when one says so.
   */
  loopBack(done: number): void {
    this.loops = true;
    const slot = this.slots++;
    const io = this.touchesMemory ? ' || M.ioHappened' : '';
    this.line(`${this.writeBackText()} ${this.flagsText()} c.retired += ${done + this.bias};`);
    this.line(`if (--rounds === 0 || c.retired >= c.loopStop${io}) { c.eip = e0; return ${slot}; }`);
    this.line('continue;');
  }

  /**
   * After followed transfer `k`, where the trace enters its next block: leave for the dispatcher
   * if an MMIO access may have raised an interrupt, which the interpreter would take here. (The
   * run loop only enters a trace that spans blocks when no event waits and the instruction limit
   * is further than a trace away, so deadlines fall on the interpreter's block boundaries too.)
   */
  blockBoundary(k: number): void {
    // Only a memory access's slow path or a handler can reach MMIO.
    if (!this.mayHaveIo) return;
    this.mayHaveIo = false;
    this.line(`if (M.ioHappened) { ${this.exitText(k + 1, this.succEip(k), Exit.Dispatch)} }`);
  }

  /**
   * In the branch where conditional branch `k` goes the way the trace does not: run its side
   * block (`Trace.side`) instead of leaving. The code after the branch carries on with the state
   * the branch found (the side block ends by going round to the entry or by leaving).
   */
  inlineSide(k: number): void {
    const side = this.trace.side[k];
    if (side === undefined) throw new Error(`block emitter: instruction ${k} has no side block`);
    const saved = { dirty: new Set(this.dirty), flags: this.flags, io: this.mayHaveIo, bias: this.bias };
    // A block boundary: an MMIO access before it may have raised an interrupt to take here.
    if (this.mayHaveIo) {
      this.mayHaveIo = false;
      this.line(`if (M.ioHappened) { ${this.exitText(k + 1, this.eipAt(side.start), Exit.Dispatch)} }`);
    }
    this.bias = this.doneBefore(k) + 1 - side.start;
    this.emitRun(side.start, side.end);
    this.dirty = saved.dirty;
    this.flags = saved.flags;
    this.mayHaveIo = saved.io;
    this.bias = saved.bias;
    this.current = k;
  }

  /**
   * Computed transfer `k` (target in local `t`) that the trace follows: it goes on only where the
   * trace predicted, its next instruction; anywhere else leaves through a jump-cache lookup.
   */
  followComputed(k: number, t: string): void {
    this.line(`if (${t} !== ${this.eipAt(k + 1)}) {`);
    this.exit(k + 1, t, Exit.Lookup);
    this.line('}');
  }

  /** Run instruction `k` through its table handler (everything the translator does not know). */
  callHandler(k: number): void {
    this.line(this.writeBackText());
    this.dirty.clear();
    if (this.flags) this.line(this.flags.store());
    this.flags = undefined;
    this.mayHaveIo = true;
    this.touchesMemory = true;
    this.line(`c.ip = ${this.eipAt(k)}; c.eip = ${this.nextEip(k)};`);
    // (a fault: the instructions before this one completed)
    const done = this.doneBefore(k);
    this.line(`try { H[${k}](c, I[${k}]); } catch (e) { c.retired += ${done}; throw e; }`);
    if (this.isLast(k)) {
      // The handler set EIP (a transfer, or the next instruction).
      this.line(`c.retired += ${done + 1}; return ${Exit.Dispatch};`);
      return;
    }
    // A handler may have loaded a segment register the code after it assumes flat, or (a
    // transfer the trace follows) gone elsewhere than the trace's next instruction.
    const elsewhere = this.trace.follow[k] !== undefined ? ` || c.eip !== ${this.eipAt(k + 1)}` : '';
    this.line(
      `if (c.breakBlock || (c.flatMask & ASSUMED_FLAT) !== ASSUMED_FLAT${elsewhere}) { c.retired += ${done + 1}; return ${Exit.Dispatch}; }`,
    );
    this.line(RELOAD);
  }

  /**
   * `if (target > CS limit) #GP` for a near transfer's target in local `t`; nothing when CS spans
   * 4 GiB at compile time (the run loop then enters the code only while it still does).
   */
  limitCheck(t: string): string {
    if (this.flatNow & CS_SPANS_4G) {
      this.assumedFlat |= CS_SPANS_4G;
      return '';
    }
    return `if (${t} > c.csLimit) { ${this.faultState()} X.gp(c, ${this.doneBefore(this.current)}); }`;
  }

  /**
   * Statements that leave in `c` the state the interpreter has when the current instruction
   * starts (registers, pending flags, its EIP), before a call that may raise a fault there.
   * An instruction changes no register before its last memory access, so the locals still hold
   * that state.
   */
  private faultState(): string {
    const k = this.current;
    const flags = this.pendingAt.get(k);
    return `${this.writeBackText()} ${flags ? flags.store() : ''} c.ip = ${this.eipAt(k)}; c.eip = ${this.nextEip(k)};`;
  }

  /** Start translated instruction `k`. */
  begin(k: number): void {
    this.pendingAt.set(k, this.flags);
    this.current = k;
    // The marker names the instruction in the source (tests plant bugs after it).
    this.line(`/*@insn ${k} opc ${this.insns[k].opc.toString(16)}*/`);
  }

  // ---- memory ---------------------------------------------------------------------------------

  /** Offset expression of instruction `i`'s ModRM memory operand (32-bit addressing). */
  ea(i: Insn): string {
    const parts: string[] = [String(i.disp | 0)];
    if (i.base >= 0) parts.push(`r${i.base}`);
    if (i.index >= 0) parts.push(i.scale ? `(r${i.index} << ${i.scale})` : `r${i.index}`);
    return `((${parts.join(' + ')}) >>> 0)`;
  }

  /**
   * Read `size` bytes at `seg:off` into a new local (unsigned for 1/2 bytes, int32 for 4).
   * Inline: the segment range check and a TLB hit; anything else goes through the Cpu helpers.
   */
  read(seg: number, off: string, size: number): string {
    const { o, x, fast, at: p } = this.address(seg, off, size, 'r');
    const v = this.tmp();
    const load = fastLoad(x, p, size, false);
    const slow = `${this.slowAccess(Access.Read, seg, o, size, '0')}${size === 4 ? ' | 0' : ''}`;
    this.line(`if (${fast}) ${v} = ${load}; else { ${this.faultState()} ${v} = ${slow}; }`);
    return v;
  }

  /**
   * Start an access of `size` bytes at `seg:off` (`r` read, `w` write): the offset's local `o`,
   * the TLB index `x`, the inline fast-path condition (range check and TLB hit, the access
   * within the page) and `at`, the byte's index in the page's backing array.
   */
  private address(
    seg: number,
    off: string,
    size: number,
    kind: 'r' | 'w',
  ): { o: string; x: string; fast: string; at: string } {
    this.mayHaveIo = true;
    this.touchesMemory = true;
    const o = this.tmp();
    const l = this.tmp();
    const x = this.tmp();
    this.line(`${o} = ${off}; ${this.linear(seg, o, l)} ${x} = (${l} >>> 12) & 4095;`);
    const tag = kind === 'r' ? 'tagR' : 'tagW';
    const fast = `${this.inRange(seg, o, size, kind)}M.${tag}[${x}] === (${l} >>> 12) && (${l} & 4095) <= ${4096 - size}`;
    return { o, x, fast, at: `((${l} & 4095) + MO[${x}])` };
  }

  /** The helper call of a memory access's slow path, for the current instruction. */
  private slowAccess(kind: Access, seg: number, o: string, size: number, v: string): string {
    return `X.access(c, ${this.doneBefore(this.current)}, ${kind}, ${seg}, ${o}, ${size}, ${v})`;
  }

  /**
   * `l = linear address` of `seg:o`. A segment that is flat at compile time is assumed to stay
   * so (the run loop checks `c.flatMask` before entering): its base is 0.
   */
  private linear(seg: number, o: string, l: string): string {
    if (this.flatNow & (1 << seg)) {
      this.assumedFlat |= 1 << seg;
      return `${l} = ${o} | 0;`;
    }
    return `${l} = (c.sbase[${seg}] + ${o}) | 0;`;
  }

  /**
   * The inline segment range check of an access (`r` read, `w` write), with a trailing `&&`.
   * A flat segment needs none: its only failing case, an access wrapping past 4 GiB, also
   * crosses a page, so the TLB condition sends it to the checked slow path.
   */
  private inRange(seg: number, o: string, size: number, kind: 'r' | 'w'): string {
    if (this.flatNow & (1 << seg)) return '';
    return `${o} >= c.${kind}lo[${seg}] && ${o} <= c.${kind}hi[${seg}] - ${size - 1} && `;
  }

  /** Store `v` (`size` bytes) at `seg:off`. The caller checks `c.breakBlock` after the instruction. */
  write(seg: number, off: string, size: number, v: string): void {
    const { o, x, fast, at: p } = this.address(seg, off, size, 'w');
    const store = fastStore(x, p, size, v);
    this.line(
      `if (${fast}) ${store} else { ${this.faultState()} ${this.slowAccess(Access.Write, seg, o, size, v)}; }`,
    );
  }

  /**
   * Read-modify-write of `size` bytes at `seg:off`: write permission is checked before the read
   * (as the interpreter's `readRmw`). Returns the local holding the unsigned old value; `commit`
   * stores the new one.
   */
  rmw(seg: number, off: string, size: number): { old: string; commit: (v: string) => void } {
    const { o, x, fast, at } = this.address(seg, off, size, 'w');
    const p = this.tmp();
    const v = this.tmp();
    const load = fastLoad(x, p, size, true);
    this.line(
      `if (${fast}) { ${p} = ${at}; ${v} = ${load}; } else { ${this.faultState()} ${p} = -1; ${v} = ${this.slowAccess(Access.ReadRmw, seg, o, size, '0')}; }`,
    );
    const commitFault = this.faultState();
    const commitSlow = (w: string) => this.slowAccess(Access.Write, seg, o, size, w);
    return {
      old: v,
      commit: (nv: string) => {
        const store = fastStore(x, p, size, 'w');
        this.line(
          `{ const w = ${nv}; if (${p} >= 0) { ${store} } else { ${commitFault} ${commitSlow('w')}; } }`,
        );
      },
    };
  }

  // ---- assembly -------------------------------------------------------------------------------

  /** The complete function body: `(c) => exit code`, given closure names H I X M MM MV MO P. */
  source(name: string): string {
    const temps =
      this.temps > 0 ? `let ${Array.from({ length: this.temps }, (_, n) => `t${n} = 0`).join(', ')};` : '';
    const text = this.out.join('\n  ').replaceAll('ASSUMED_FLAT', String(this.assumedFlat));
    // Only the registers the code names live in locals (loaded, reloaded after handlers, written
    // back at exits and before calls that may fault); the others never leave the register array.
    const used = [...new Set([...text.matchAll(/\br([0-7])\b/g)].map((m) => Number(m[1])))].sort();
    const body = text.replaceAll(RELOAD, used.map((n) => `r${n} = r[${n}];`).join(' '));
    const load = used.length > 0 ? `let ${used.map((n) => `r${n} = r[${n}]`).join(', ')};` : '';
    // A trace that jumps back to its entry runs at most ROUNDS times per call.
    const loop = this.loops ? [`let rounds = ${LOOP_ROUNDS};\n  for (;;) {`, '}'] : ['', ''];
    return `return function ${name}(c) {
  const r = c.r;
  const e0 = c.eip;
  ${load}
  ${temps}
  ${loop[0]}
  ${body}
  ${loop[1]}
};`;
  }
}

/**
 * The fast-path load of `size` bytes at index `p` of TLB entry `x`'s backing bytes: a byte from
 * the page's array, 16/32 bits through its DataView (32 bits unsigned or int32).
 */
function fastLoad(x: string, p: string, size: number, unsigned32: boolean): string {
  if (size === 1) return `MM[${x}][${p}]`;
  if (size === 2) return `MV[${x}].getUint16(${p}, true)`;
  return `MV[${x}].${unsigned32 ? 'getUint32' : 'getInt32'}(${p}, true)`;
}

/** The fast-path store of `v` (`size` bytes) at index `p` of TLB entry `x`'s backing bytes. */
function fastStore(x: string, p: string, size: number, v: string): string {
  if (size === 1) return `MM[${x}][${p}] = ${v};`;
  return `MV[${x}].${size === 2 ? 'setUint16' : 'setInt32'}(${p}, ${v}, true);`;
}
