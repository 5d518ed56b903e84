import type { Insn } from '../decode/insn.js';
import { CS_SPANS_4G } from '../exec/cpu.js';
import type { FlagSource } from './flag-source.js';
import { afterOf, blockEnd, type Trace } from './trace.js';

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

/** Most back-edge transfers per call (then back to the run loop, which looks at the clock). */
const LOOP_ROUNDS = 1024;

/** Where the registers are read back after a handler (filled in with the registers used). */
const RELOAD = '/*reload*/';
/**
 * In a region with transfers: a write-back of block `j`'s changed registers `list` and of those
 * changed on the way into it, `WRITE_BACK<j>:<list>WRITE_BACK_END` (the path's are known once
 * every block is generated).
 */
const WRITE_BACK = '\u0004';
const WRITE_BACK_END = '\u0005';
/** Around a transfer's store of the flags into `c`: `FLAGS_TO<block>FLAGS_AT<store>FLAGS_END`. */
const FLAGS_TO = '\u0001';
const FLAGS_AT = '\u0002';
const FLAGS_END = '\u0003';

/**
 * Builds the JavaScript source of one trace. Generated-code conventions:
 *  - `c` the Cpu, `r` its register array, locals `r0`..`r7` hold the 32-bit registers the code
 *    names (int32) from entry to exit, written back at every exit, before every handler call and
 *    on a fault (registers it never names stay in `r`);
 *  - `e0` the EIP at entry (a region's instructions sit at fixed offsets from it);
 *  - a region of several blocks nests them in labelled statements, block j right after the
 *    one labelled `B<j>`, so a transfer to a later block is `break B<j>` (structured forward
 *    jumps, as in WebAssembly); a transfer back to the entry is `continue` of a `for (;;)` around
 *    it all, with the run loop's checks repeated; a transfer back to another block leaves. In
 *    such a region `n` counts the instructions of the blocks run so far, a transfer stores no
 *    registers (an exit stores those changed on any path to it) and stores the pending flags
 *    only when its target reads them;
 *  - `t<n>` temporaries, declared at function level (per block in a region of several);
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
  private pending: FlagSource | undefined;
  /** The current block has set flags (so `c`'s flags at its entry no longer matter). */
  private wroteFlags = false;
  /**
   * Per block: whether it reads the flags it was entered with (from `c`: a condition, a carry
   * in, a handler, an exit or a fault that stores nothing newer), and the blocks it transfers to
   * without setting flags first (their needs become its own). A transfer into a block that does
   * not read them does not store them.
   */
  private readonly entryFlags: { reads: boolean; passTo: number[] }[] = [];
  /** Per block: the transfers into it, with the registers changed in their block (not yet in `r`). */
  private readonly dirtyInto: { from: number; dirty: number[] }[][];
  /** Whether the region has transfers between its blocks (or back to its entry). */
  readonly dispatches: boolean;
  /** Whether some transfer goes back to the entry (the body then sits in a bounded loop). */
  private readonly loops: boolean;
  /** Per translated instruction: the flags pending when it started (stored before a call that may fault). */
  readonly pendingAt = new Map<number, FlagSource | undefined>();
  /** Per translated instruction: a fault there would leave the block's entry flags in `c`. */
  private readonly entryFlagsAt = new Map<number, boolean>();
  /** The instruction being translated. */
  private current = 0;

  /** A memory access or handler call since the last block-boundary check (it may have done MMIO). */
  private mayHaveIo = false;

  /** Where the current block's temporaries start, and its declaration line in `out`. */
  private blockTemps = { from: 0, at: 0 };
  /** The block being translated, and the index of its first instruction. */
  private block = 0;
  private base = 0;

  /** Static exits emitted so far (each returns its own slot number). */
  slots = 0;
  readonly insns: readonly Insn[];

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
    const edges = [...trace.taken, ...trace.fall, ...trace.dyn.flat()];
    this.dispatches = edges.some((j) => j >= 0);
    this.loops = edges.includes(0);
    this.dirtyInto = trace.starts.map(() => []);
  }

  /** The flags pending in locals (undefined: `c`'s are current, which reads the block's entry flags). */
  get flags(): FlagSource | undefined {
    if (this.pending === undefined && !this.wroteFlags) this.entryFlagsRead();
    return this.pending;
  }

  set flags(f: FlagSource | undefined) {
    this.pending = f;
    if (f !== undefined) this.wroteFlags = true;
  }

  private entryFlagsRead(): void {
    const e = this.entryFlags[this.block];
    if (e) e.reads = true;
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
    return this.isLast(k) ? this.nextEip(k) : this.eipAt(k + 1);
  }

  /** Whether `k` is its block's last instruction (the generated code leaves or transfers after it). */
  isLast(k: number): boolean {
    return k === blockEnd(this.trace, this.block) - 1;
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

  /**
   * Stores of the registers changed since they were last written to `r`. A transfer between
   * blocks stores none: in a region with transfers, a block also stores those changed by the
   * blocks that may lead to it.
   */
  private writeBackText(): string {
    if (this.dispatches) return `${WRITE_BACK}${this.block}:${[...this.dirty].join(',')}${WRITE_BACK_END}`;
    return [...this.dirty].map((n) => `r[${n}] = r${n};`).join(' ');
  }

  /**
   * In a dispatching region, statements that add the instructions of the blocks run so far
   * (local `n`) to `c.retired`, before a call that may look at the instruction clock or fault.
   */
  private flushRetired(): string {
    return this.dispatches ? 'c.retired += n; n = 0;' : '';
  }

  /** `c.retired += ` the instructions run so far, `end` the index past the last one completed. */
  private retiredText(end: number): string {
    return `c.retired += ${this.dispatches ? 'n + ' : ''}${end - this.base};`;
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

  /**
   * Stop after instruction `k` if a store invalidated this block or asked for an exit (going on
   * at `eip`, by default the next instruction).
   */
  checkBreak(k: number, eip = this.succEip(k)): void {
    this.line(`if (c.breakBlock) { ${this.exitText(k + 1, eip, Exit.Dispatch)} }`);
  }

  /** Instructions of the current block completed once instruction `k` (a trace index) has. */
  private doneAfter(k: number): number {
    return k + 1 - this.base;
  }

  /** Leave: state into `c`, EIP, retired count (`end`: the trace index past the last completed instruction). */
  private exitText(end: number, eip: string, code: Exit | number): string {
    return `${this.writeBackText()} ${this.flagsText()} c.eip = ${eip}; ${this.retiredText(end)} return ${code};`;
  }

  /** Start block `j` of the region (its registers' and flags' state is resolved at the end). */
  beginBlock(j: number): void {
    this.block = j;
    this.base = this.trace.starts[j];
    this.dirty.clear();
    this.pending = undefined;
    this.wroteFlags = false;
    this.entryFlags[j] = { reads: false, passTo: [] };
    this.mayHaveIo = false;
    if (this.dispatches) {
      // (closes the statement labelled B<j>: a `break` to it lands here)
      this.line(j === 0 ? this.labels() : '}');
      this.line('{');
      this.blockTemps = { from: this.temps, at: this.out.length };
      this.line('');
    }
  }

  endBlock(): void {
    if (!this.dispatches) return;
    // A block's temporaries are its own (locals live across blocks make TurboFan's graphs larger).
    const { from, at } = this.blockTemps;
    this.out[at] = tempDeclarations(from, this.temps);
    this.line('}');
  }

  /**
   * After transfer instruction `k` (the last of its block), go on at `eip`: in block `j` of the
   * region (-1: none, leave through a static exit). Changes nothing at compile time (a branch
   * emits one transfer per way).
   *
   * Going to another block counts the block's instructions (`n`), then repeats the run loop's
   * checks at a block boundary: after an access or handler that may have done MMIO, leave for
   * the dispatcher (which would take an interrupt it raised); going back to the entry, also a
   * bounded number of rounds and the instruction limit (`c.loopStop`). A path without back edges
   * needs no limit check: the run loop enters a region that spans blocks only while the limit is
   * more than a region away. A transfer back to a later block leaves (the loop it closes is
   * another region's).
   */
  transfer(k: number, j: number, eip: string): void {
    if (j < 0 || (j > 0 && j <= this.block)) {
      this.staticExit(k + 1, eip);
      return;
    }
    this.line(`n = (n + ${this.doneAfter(k)}) | 0;`);
    this.dirtyInto[j].push({ from: this.block, dirty: [...this.dirty] });
    const leave = (code: number) =>
      `{ ${this.writeBackText()} ${this.flagsText()} c.eip = ${eip}; c.retired += n; return ${code}; }`;
    const io = this.mayHaveIo ? ' || M.ioHappened' : '';
    if (j === 0) {
      this.line(
        `if ((rounds = (rounds - 1) | 0) === 0 || c.retired + n >= c.loopStop${io}) ${leave(this.slots++)}`,
      );
    } else if (io) this.line(`if (M.ioHappened) ${leave(Exit.Dispatch)}`);
    // The flags go into `c` only if block j reads them (decided once every block is generated).
    if (this.pending) this.line(`${FLAGS_TO}${j}${FLAGS_AT}${this.pending.store()}${FLAGS_END}`);
    else if (!this.wroteFlags) this.entryFlags[this.block].passTo.push(j);
    this.line(j === 0 ? 'continue;' : `break B${j};`);
  }

  /**
   * After computed transfer `k` (the last of its block: RET, an indirect call or jump) to the
   * EIP in local `t`: go on in the region when `t` starts one of its candidate blocks, else
   * leave through the jump cache.
   */
  computedTransfer(k: number, t: string): void {
    for (const j of this.trace.dyn[this.block]) {
      if (j < 0) continue;
      this.line(`if (${t} === ((e0 + ${this.trace.at[this.trace.starts[j]]}) >>> 0)) {`);
      this.transfer(k, j, t);
      this.line('}');
    }
    this.exit(k + 1, t, Exit.Lookup);
  }

  /** Whether the current block's computed transfer may go on inside the region. */
  get continuesComputed(): boolean {
    return this.trace.dyn[this.block].some((j) => j >= 0);
  }

  /** The block that transfer `k` leads to when it branches (`taken`) or falls through. */
  edge(way: 'taken' | 'fall'): number {
    return this.trace[way][this.block];
  }

  /** Run instruction `k` through its table handler (everything the translator does not know). */
  callHandler(k: number): void {
    this.line(this.writeBackText());
    this.dirty.clear();
    if (this.flags) this.line(this.flags.store());
    this.flags = undefined;
    this.mayHaveIo = true;
    this.line(`c.ip = ${this.eipAt(k)}; c.eip = ${this.nextEip(k)};`);
    // (a fault: the instructions before this one completed)
    this.line(this.flushRetired());
    this.line(`try { H[${k}](c, I[${k}]); } catch (e) { c.retired += ${k - this.base}; throw e; }`);
    const done = this.doneAfter(k);
    if (this.isLast(k) && this.insns[k].ends) {
      // The handler set EIP (a transfer, or the next instruction).
      this.line(`c.retired += ${done}; return ${Exit.Dispatch};`);
      return;
    }
    // A handler may have loaded a segment register the code after it assumes flat.
    this.line(
      `if (c.breakBlock || (c.flatMask & ASSUMED_FLAT) !== ASSUMED_FLAT) { c.retired += ${done}; return ${Exit.Dispatch}; }`,
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
    return `if (${t} > c.csLimit) { ${this.faultState()} X.gp(c, ${this.current - this.base}); }`;
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
    if (this.entryFlagsAt.get(k)) this.entryFlagsRead();
    return `${this.writeBackText()} ${flags ? flags.store() : ''} ${this.flushRetired()} c.ip = ${this.eipAt(k)}; c.eip = ${this.nextEip(k)};`;
  }

  /** Start translated instruction `k`. */
  begin(k: number): void {
    this.pendingAt.set(k, this.pending);
    this.entryFlagsAt.set(k, this.pending === undefined && !this.wroteFlags);
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
    const o = this.tmp();
    const l = this.tmp();
    const x = this.tmp();
    this.line(`${o} = ${off}; ${this.linear(seg, o, l)} ${x} = (${l} >>> 12) & 4095;`);
    const tag = kind === 'r' ? 'tagR' : 'tagW';
    const fast = `${this.inRange(seg, o, size, kind)}M.${tag}[${x}] === (${l} >>> 12) && (${l} & 4095) <= ${4096 - size}`;
    return { o, x, fast, at: `(((${l} & 4095) + MO[${x}]) | 0)` };
  }

  /** The helper call of a memory access's slow path, for the current instruction. */
  private slowAccess(kind: Access, seg: number, o: string, size: number, v: string): string {
    return `X.access(c, ${this.current - this.base}, ${kind}, ${seg}, ${o}, ${size}, ${v})`;
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
  /** The openings of the labelled statements blocks 1… follow (innermost last). */
  private labels(): string {
    const n = this.trace.starts.length;
    return Array.from({ length: n - 1 }, (_, i) => `B${n - 1 - i}: {`).join(' ');
  }

  private writeBacks(): RegExp {
    return new RegExp(`${WRITE_BACK}(\\d+):([\\d,]*)${WRITE_BACK_END}`, 'g');
  }

  private entryDirty: Set<string>[] | undefined;

  /** Per block: the registers changed (not yet in `r`) on some path into it. */
  private dirtyOnEntry(): Set<string>[] {
    if (this.entryDirty) return this.entryDirty;
    const sets = this.trace.starts.map(() => new Set<string>());
    for (let changed = true; changed; ) {
      changed = false;
      sets.forEach((set, j) => {
        for (const { from, dirty } of this.dirtyInto[j]) {
          for (const n of [...dirty.map(String), ...sets[from]]) {
            if (!set.has(n)) {
              set.add(n);
              changed = true;
            }
          }
        }
      });
    }
    this.entryDirty = sets;
    return sets;
  }

  private resolveFlagStores(text: string): string {
    return resolveFlags(text, this.entryFlags);
  }

  source(name: string): string {
    const temps = this.dispatches ? '' : tempDeclarations(0, this.temps);
    const text = this.resolveFlagStores(
      this.out
        .join('\n  ')
        .replaceAll('ASSUMED_FLAT', String(this.assumedFlat))
        .replace(this.writeBacks(), (_, j: string, list: string) => {
          const regs = new Set([...this.dirtyOnEntry()[Number(j)], ...list.split(',').filter((x) => x)]);
          return [...regs].map((n) => `r[${n}] = r${n};`).join(' ');
        }),
    );
    // Only the registers the code names live in locals (loaded, reloaded after handlers, written
    // back at exits and before calls that may fault); the others never leave the register array.
    const used = [...new Set([...text.matchAll(/\br([0-7])\b/g)].map((m) => Number(m[1])))].sort();
    const body = text.replaceAll(RELOAD, used.map((n) => `r${n} = r[${n}];`).join(' '));
    const load = used.length > 0 ? `let ${used.map((n) => `r${n} = r[${n}]`).join(', ')};` : '';
    // A region that goes back to its entry: a loop, at most ROUNDS rounds per call.
    const count = this.dispatches ? 'let n = 0;' : '';
    const loop = this.loops ? [`let rounds = ${LOOP_ROUNDS};\n  for (;;) {`, '}'] : ['', ''];
    return `return function ${name}(c) {
  const r = c.r;
  const e0 = c.eip;
  ${load}
  ${temps} ${count}
  ${loop[0]}
  ${body}
  ${loop[1]}
};`;
  }
}

/** `let t<from> = 0, …;` up to `to` (exclusive). */
function tempDeclarations(from: number, to: number): string {
  if (to <= from) return '';
  return `let ${Array.from({ length: to - from }, (_, n) => `t${from + n} = 0`).join(', ')};`;
}

/**
 * Keep the flag stores of transfers into blocks that read their entry flags (directly, or
 * through blocks they pass them on to unchanged); drop the others.
 */
function resolveFlags(text: string, entry: readonly { reads: boolean; passTo: number[] }[]): string {
  const reads = entry.map((e) => e.reads);
  for (let changed = true; changed; ) {
    changed = false;
    entry.forEach((e, j) => {
      if (!reads[j] && e.passTo.some((t) => reads[t])) {
        reads[j] = true;
        changed = true;
      }
    });
  }
  const marked = new RegExp(`${FLAGS_TO}(\\d+)${FLAGS_AT}([^${FLAGS_END}]*)${FLAGS_END}`, 'g');
  return text.replace(marked, (_, j: string, store: string) => (reads[Number(j)] ? store : ''));
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
