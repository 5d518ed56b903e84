import type { SegmentRegister } from '@tsvm/arch-x86';
import type { Insn } from '../decode/insn.js';
import { ONE_BYTE, TWO_BYTE } from '../decode/opcode-table.js';
import type { Block } from '../exec/block-cache.js';
import type { Cpu } from '../exec/cpu.js';
import { CpuFault } from '../exec/fault.js';
import { LazyOp, materialize } from '../exec/flags.js';
import type { Exit } from './block-emitter.js';
import { type CompiledBlock, compileTrace, type SourceHook } from './compile-block.js';
import { sidePath, singleBlockTrace, type Trace, tracePrefix } from './trace.js';

const SEG_FIELDS = [
  'selector',
  'base',
  'baseHigh',
  'limit',
  'type',
  's',
  'dpl',
  'present',
  'avl',
  'l',
  'db',
  'g',
  'unusable',
] as const;
const SEG_NAMES = ['es', 'cs', 'ss', 'ds', 'fs', 'gs', 'ldtr', 'tr'];
const REG_NAMES = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];

/** Names of the numeric fields of a snapshot, in order. */
const FIELDS: string[] = [
  ...REG_NAMES,
  'eip',
  'eflags',
  ...SEG_NAMES.flatMap((g) => SEG_FIELDS.map((f) => `${g}.${f}`)),
  'gdtr.base',
  'gdtr.limit',
  'idtr.base',
  'idtr.limit',
  'cr0',
  'cr3',
  'cr4',
  'efer',
  'dr6',
  'dr7',
  'cpl',
  // (SYSTEM_END: the fields above from es.selector on change only with mode/segment changes)
  'halted',
  'shadow',
  'nmiMasked',
  'deliveries',
  'retired',
  'breakBlock',
];

const SYSTEM_END = FIELDS.indexOf('halted');

/**
 * The canonical state the lockstep check compares at a block boundary: general registers, EIP,
 * EFLAGS, the eight segment/system segment caches, GDTR/IDTR, control and debug registers,
 * EFER, MSRs, the FXSAVE image, CPL, halt/shadow/NMI state, retired count, the fault raised.
 * Flat arrays, reused: it is taken twice per block.
 */
class Snapshot {
  readonly nums = new Float64Array(FIELDS.length);
  cr2 = 0n;
  msrs: [number, bigint][] = [];
  readonly fxsave = new Uint8Array(512);
  fault = 'none';

  take(c: Cpu, fault: CpuFault | undefined): this {
    const s = c.state;
    const n = this.nums;
    let k = 0;
    for (let r = 0; r < 8; r++) n[k++] = c.r[r];
    n[k++] = c.eip >>> 0;
    n[k++] = materialize(c) >>> 0;
    for (let q = 0; q < 8; q++) k = putSeg(n, k, q < 6 ? c.segs[q] : q === 6 ? s.ldt : s.tr);
    n[k++] = s.gdt.base;
    n[k++] = s.gdt.limit;
    n[k++] = s.idt.base;
    n[k++] = s.idt.limit;
    n[k++] = s.cr0;
    n[k++] = s.cr3;
    n[k++] = s.cr4;
    n[k++] = s.efer;
    n[k++] = s.dr6;
    n[k++] = s.dr7;
    n[k++] = c.cpl;
    n[k++] = c.halted ? 1 : 0;
    n[k++] = c.shadow ? 1 : 0;
    n[k++] = c.nmiMasked ? 1 : 0;
    n[k++] = c.deliveries;
    n[k++] = c.retired;
    n[k++] = c.breakBlock ? 1 : 0;
    this.cr2 = s.cr2;
    if (!sameMsrs(this.msrs, s.msrs)) this.msrs = [...s.msrs];
    // (an unchanged list is kept: restore and compare then see the same array)
    this.fxsave.set(s.fxsave.subarray(0, 512));
    this.fault = fault
      ? `vector ${fault.vector} error ${fault.errorCode}${fault.trap ? ' trap' : ''}`
      : 'none';
    return this;
  }

  /** Put this state back; `now` is the state the CPU is in (fields equal in both are skipped). */
  restore(c: Cpu, now: Snapshot): void {
    const s = c.state;
    const n = this.nums;
    for (let r = 0; r < 8; r++) c.r[r] = n[r];
    c.eip = n[8];
    c.flags = n[9];
    c.lop = LazyOp.None;
    let k = 10;
    let system = false;
    for (; k < SYSTEM_END; k++) if (n[k] !== now.nums[k]) system = true;
    if (system || this.cr2 !== now.cr2) {
      k = 10;
      for (let q = 0; q < 8; q++) k = getSeg(n, k, q < 6 ? c.segs[q] : q === 6 ? s.ldt : s.tr);
      s.gdt.base = n[k++];
      s.gdt.limit = n[k++];
      s.idt.base = n[k++];
      s.idt.limit = n[k++];
      s.cr0 = n[k++];
      s.cr3 = n[k++];
      s.cr4 = n[k++];
      s.efer = n[k++];
      s.dr6 = n[k++];
      s.dr7 = n[k++];
      c.setCpl(n[k++]);
      c.modeChanged();
      s.cr2 = this.cr2;
    }
    k = SYSTEM_END;
    c.halted = n[k++] !== 0;
    c.shadow = n[k++] !== 0;
    c.nmiMasked = n[k++] !== 0;
    c.deliveries = n[k++];
    c.retired = n[k++];
    c.breakBlock = n[k++] !== 0;
    if (this.msrs !== now.msrs && !sameMsrs(this.msrs, s.msrs)) {
      s.msrs.clear();
      for (const [key, v] of this.msrs) s.msrs.set(key, v);
    }
    for (let q = 0; q < 512; q++)
      if (this.fxsave[q] !== now.fxsave[q]) {
        s.fxsave.set(this.fxsave);
        break;
      }
  }
}

function putSeg(n: Float64Array, k: number, g: SegmentRegister): number {
  n[k] = g.selector;
  n[k + 1] = g.base;
  n[k + 2] = g.baseHigh;
  n[k + 3] = g.limit;
  n[k + 4] = g.type;
  n[k + 5] = g.s ? 1 : 0;
  n[k + 6] = g.dpl;
  n[k + 7] = g.present ? 1 : 0;
  n[k + 8] = g.avl ? 1 : 0;
  n[k + 9] = g.l ? 1 : 0;
  n[k + 10] = g.db ? 1 : 0;
  n[k + 11] = g.g ? 1 : 0;
  n[k + 12] = g.unusable ? 1 : 0;
  return k + SEG_FIELDS.length;
}

function getSeg(n: Float64Array, k: number, g: SegmentRegister): number {
  g.selector = n[k];
  g.base = n[k + 1];
  g.baseHigh = n[k + 2];
  g.limit = n[k + 3];
  g.type = n[k + 4];
  g.s = n[k + 5] !== 0;
  g.dpl = n[k + 6];
  g.present = n[k + 7] !== 0;
  g.avl = n[k + 8] !== 0;
  g.l = n[k + 9] !== 0;
  g.db = n[k + 10] !== 0;
  g.g = n[k + 11] !== 0;
  g.unusable = n[k + 12] !== 0;
  return k + SEG_FIELDS.length;
}

function sameList(a: readonly [number, bigint][], b: readonly [number, bigint][]): boolean {
  return a.length === b.length && a.every(([k, v], n) => b[n][0] === k && b[n][1] === v);
}

function sameMsrs(list: readonly [number, bigint][], map: Map<number, bigint>): boolean {
  if (list.length !== map.size) return false;
  for (const [k, v] of list) if (map.get(k) !== v) return false;
  return true;
}

const hex = (v: number) => `0x${(v >>> 0).toString(16)}`;

/** Fields that differ between two snapshots, as readable lines (empty: equal). */
function differences(a: Snapshot, b: Snapshot): string[] {
  const out: string[] = [];
  let same = a.cr2 === b.cr2 && a.fault === b.fault && (a.msrs === b.msrs || sameList(a.msrs, b.msrs));
  for (let k = 0; same && k < FIELDS.length; k++) if (a.nums[k] !== b.nums[k]) same = false;
  for (let k = 0; same && k < 512; k++) if (a.fxsave[k] !== b.fxsave[k]) same = false;
  if (same) return out;
  for (let k = 0; k < FIELDS.length; k++)
    if (a.nums[k] !== b.nums[k])
      out.push(`${FIELDS[k]}: compiled ${hex(a.nums[k])}, interpreter ${hex(b.nums[k])}`);
  if (a.cr2 !== b.cr2) out.push(`cr2: compiled ${a.cr2.toString(16)}, interpreter ${b.cr2.toString(16)}`);
  if (a.fault !== b.fault) out.push(`fault: compiled ${a.fault}, interpreter ${b.fault}`);
  const msr = (m: [number, bigint][]) => JSON.stringify(m.map(([k, v]) => [k, v.toString(16)]));
  if (!sameList(a.msrs, b.msrs)) out.push(`msrs: compiled ${msr(a.msrs)}, interpreter ${msr(b.msrs)}`);
  for (let k = 0; k < 512; k++)
    if (a.fxsave[k] !== b.fxsave[k]) {
      out.push(`fxsave byte ${k}: compiled ${hex(a.fxsave[k])}, interpreter ${hex(b.fxsave[k])}`);
      break;
    }
  return out;
}

/** Physical address → final byte, for every address a run's journal touched. */
function writtenBytes(c: Cpu, journal: readonly number[]): Map<number, number> {
  const m = new Map<number, number>();
  for (let k = 0; k < journal.length; k += 2) {
    const r = c.memory.find(journal[k]);
    if (r?.bytes) m.set(journal[k], r.bytes[journal[k] - r.base]);
  }
  return m;
}

function memoryDifferences(c: Cpu, a: Map<number, number>, b: Map<number, number>): string[] {
  const out: string[] = [];
  const current = (p: number) => {
    const r = c.memory.find(p);
    return r?.bytes ? r.bytes[p - r.base] : -1;
  };
  for (const p of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(p) ?? current(p);
    const y = b.get(p) ?? current(p);
    if (x !== y && out.length < 8) out.push(`memory ${hex(p)}: compiled ${hex(x)}, interpreter ${hex(y)}`);
  }
  return out;
}

/** Thrown when compiled code and the interpreter disagree: names the block, instruction and fields. */
export class LockstepMismatch extends Error {
  constructor(
    message: string,
    /** Index of the first instruction whose compiled form diverges (-1 if not pinned down). */
    readonly instruction: number,
  ) {
    super(message);
    this.name = 'LockstepMismatch';
  }
}

/** Human name of a decoded instruction: mnemonic from the instruction table and opcode. */
export function describeInsn(i: Insn): string {
  const spec = i.opc >= 0x100 ? TWO_BYTE[i.opc & 0xff] : ONE_BYTE[i.opc];
  const name = spec.group ? spec.group[i.reg].name : spec.name;
  const opc =
    i.opc >= 0x100
      ? `0f ${(i.opc & 0xff).toString(16).padStart(2, '0')}`
      : i.opc.toString(16).padStart(2, '0');
  return `'${name}' (opcode ${opc}${spec.group ? ` /${i.reg}` : ''})`;
}

/**
 * Lockstep checking of one compiled block: run the compiled code with every store journaled,
 * note the resulting state, undo it, run the interpreter over the same instructions, and compare
 * general registers, EIP, EFLAGS, segment registers, control registers, CPL, halt/shadow/NMI
 * state, retired count, the fault raised and every byte written. A block that did port I/O,
 * touched MMIO, wrote into translated code or otherwise asked to stop (`breakBlock`: device
 * signals such as FERR#, mode changes) cannot be replayed: its compiled run stands.
 * On a difference, prefixes of the block are compiled and compared one by one to name the
 * first instruction whose generated code is wrong.
 */
export class LockstepChecker {
  blocksCompared = 0;
  blocksUnreplayable = 0;
  private readonly before = new Snapshot();
  private readonly after = [new Snapshot(), new Snapshot()];
  private turn = 0;

  constructor(
    private readonly c: Cpu,
    /**
     * Interpret a trace until the guest's path leaves it; returns the instructions run and the
     * branch whose side block the path went into, if it did.
     */
    private readonly interpret: (block: Block, trace: Trace) => { ran: number; via: number | undefined },
    private readonly hook: () => SourceHook | undefined,
  ) {
    c.mmu.slowWritesOnly = true;
    c.mmu.flush();
  }

  /** Run `block` both ways; leaves the interpreter's result (and rethrows its fault). */
  run(block: Block): Exit | undefined {
    const c = this.c;
    const before = this.before.take(c, undefined);
    const fn = block.fn as CompiledBlock;
    const a = this.runOnce(() => fn(c));
    if (a.unreplayable) {
      this.blocksUnreplayable++;
      if (a.fault) throw a.fault;
      return a.exit;
    }
    c.mmu.undoJournal();
    before.restore(c, a.snap);
    if (a.walked) c.mmu.flush();
    const trace = block.trace ?? singleBlockTrace(block);
    let ran = 0;
    let via: number | undefined;
    const b = this.runOnce(() => {
      // (a fault leaves `ran` at 0: every prefix of the main path is then compared)
      ({ ran, via } = this.interpret(block, trace));
      return undefined;
    });
    this.blocksCompared++;
    const diff = [...differences(a.snap, b.snap), ...memoryDifferences(c, a.mem, b.mem)];
    if (diff.length > 0) {
      // (the path the guest took: the main path, or into a side block)
      const path = via === undefined ? trace : sidePath(trace, via);
      this.report(block, path, ran || path.mainLength, before, diff);
    }
    if (b.fault) throw b.fault;
    return undefined;
  }

  private runOnce(body: () => Exit | undefined): {
    snap: Snapshot;
    mem: Map<number, number>;
    fault: CpuFault | undefined;
    exit: Exit | undefined;
    unreplayable: boolean;
    walked: boolean;
  } {
    const c = this.c;
    const mmu = c.mmu;
    const io = c.ioCount;
    const codeWrites = mmu.codeWrites;
    const generation = mmu.generation;
    const walkWrites = mmu.walkWrites;
    mmu.journal = [];
    mmu.ioHappened = false;
    let fault: CpuFault | undefined;
    let exit: Exit | undefined;
    try {
      exit = body();
    } catch (e) {
      if (!(e instanceof CpuFault)) {
        mmu.journal = undefined;
        throw e;
      }
      fault = e;
    }
    const journal = mmu.journal ?? [];
    const snap = this.after[this.turn++ & 1].take(c, fault);
    // A block that asked to stop (I/O, a device signal such as FERR#, a mode change, a code
    // write) may have had effects outside the CPU and memory: it is not run a second time.
    const unreplayable = c.ioCount !== io || mmu.ioHappened || mmu.codeWrites !== codeWrites || c.breakBlock;
    if (unreplayable) mmu.journal = undefined;
    return {
      snap,
      mem: writtenBytes(c, journal),
      fault,
      exit,
      unreplayable,
      // Page walks set accessed/dirty bits; after undoing them the TLB must not remember the walk.
      walked: mmu.walkWrites !== walkWrites || mmu.generation !== generation,
    };
  }

  /** Name the first instruction among the first `ran` of `trace` whose compiled form diverges. */
  private report(block: Block, trace: Trace, ran: number, before: Snapshot, diff: string[]): never {
    const c = this.c;
    let culprit = -1;
    let culpritDiff: string[] = [];
    // Pin the first diverging instruction: compile each prefix of what ran and compare it alone.
    for (let upTo = 1; upTo <= Math.min(ran, trace.mainLength) && culprit < 0; upTo++) {
      const prefix = tracePrefix(trace, upTo);
      c.mmu.undoJournal();
      before.restore(c, new Snapshot().take(c, undefined));
      c.mmu.flush();
      const { fn } = compileTrace(c, block, prefix, { hook: this.hook() });
      const a = this.runOnce(() => (fn as CompiledBlock)(c));
      c.mmu.undoJournal();
      before.restore(c, a.snap);
      c.mmu.flush();
      const b = this.runOnce(() => {
        this.interpret(block, prefix);
        return undefined;
      });
      const d = [...differences(a.snap, b.snap), ...memoryDifferences(c, a.mem, b.mem)];
      if (d.length > 0) {
        culprit = upTo - 1;
        culpritDiff = d;
      }
    }
    c.mmu.journal = undefined;
    const where = `block at CS:EIP ${hex(c.segs[1].selector)}:${hex(before.nums[8])} (${trace.insns.length} instructions)`;
    const what =
      culprit >= 0
        ? `instruction ${culprit} ${describeInsn(trace.insns[culprit])} at EIP ${hex(before.nums[8] + trace.at[culprit])}: ${culpritDiff.join('; ')}`
        : `the whole block differs (no single prefix does): ${diff.join('; ')}`;
    throw new LockstepMismatch(
      `lockstep: compiled code and interpreter differ in the ${where}: ${what}`,
      culprit,
    );
  }
}
