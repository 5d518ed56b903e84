import { decode } from '../decode/decoder.js';
import type { Insn } from '../decode/insn.js';
import type { CompiledBlock } from '../jit/compile-block.js';
import { followable, type Trace } from '../jit/trace.js';
import type { CodePages } from '../mmu/code-pages.js';
import { type Cpu, Seg } from './cpu.js';
import { CpuFault, Vec } from './fault.js';

/** Jump cache: the last block entered at each (hashed) linear address, as QEMU's tb_jmp_cache. */
const JC_SIZE = 4096;

/** Translations kept at most; beyond this the cache starts over (guests that generate code forever). */
const MAX_BLOCKS = 1 << 17;

/** Longest block; long straight-line runs are split so deadlines and interrupts stay timely. */
const MAX_BLOCK_INSNS = 64;

/** A translation block: pre-decoded instructions from one physical page, entered at its first. */
export class Block {
  valid = true;
  /** Where the jump cache last saw it: linear address, MMU generation, CPL 3, code size. */
  lin = -1;
  gen = -1;
  user = false;
  code32 = false;
  /** Block compiler: times entered while interpreted, the compiled function and what it assumes. */
  hits = 0;
  fn: CompiledBlock | undefined = undefined;
  /** Size of the compiled function's source (counted against the code budget). */
  fnBytes = 0;
  /** The stack size the compiled code was generated for (it runs only while SS matches). */
  ss32 = false;
  /** Segments the compiled code assumes flat (`Cpu.flatMask` bits; it runs only while they are). */
  flat = 0;
  /** The compiled trace goes on into the blocks after this one. */
  spans = false;
  /** What the compiled function runs (this block, then the blocks it follows on its page). */
  trace: Trace | undefined = undefined;
  /** Direct links per static exit of the compiled code, valid while the MMU generation matches. */
  links: (Block | undefined)[] = [];
  linkGen: number[] = [];
  /**
   * Block compiler: how often the conditional branch that ends this block went each way while
   * interpreted (`endsInJcc` blocks only), so a trace follows the way it actually goes.
   */
  taken = 0;
  notTaken = 0;
  readonly endsInJcc: boolean;
  /**
   * Block compiler: the EIP where the RET or indirect CALL/JMP ending this block (`endsComputed`)
   * last went while interpreted (-1: not seen), where a trace predicts it goes.
   */
  lastTarget = -1;
  /** How many times in a row before the last it went to `lastTarget` too. */
  targetRepeats = 0;
  readonly endsComputed: boolean;
  constructor(
    readonly insns: Insn[],
    /** Cache key: physical address × 2 + code32. */
    readonly key: number,
    readonly physPage: number,
  ) {
    // (the transfers a trace may follow: what the profile is kept for)
    const kind = insns.length > 0 ? followable(insns[insns.length - 1]) : undefined;
    this.endsInJcc = kind === 'jcc';
    this.endsComputed = kind === 'ret' || kind === 'icall' || kind === 'ijump';
  }
}

/**
 * Translation blocks cached by the guest-physical address of their first byte (plus the code
 * segment's default size, which changes how bytes decode). A guest write to a page holding
 * blocks drops every block of that page (self-modifying code).
 */
export class BlockCache {
  private readonly blocks = new Map<number, Block>();
  private readonly byPage = new Map<number, Block[]>();
  /** The block being executed (an invalidation of it stops it after the current instruction). */
  current: Block | undefined;
  private readonly jump: (Block | undefined)[] = new Array(JC_SIZE).fill(undefined);
  translated = 0;
  /** Called when every block is dropped (the block compiler forgets its compiled code). */
  onClear: () => void = () => {};
  /** Called for each block a code write drops. */
  onInvalidate: (b: Block) => void = () => {};

  constructor(
    private readonly cpu: () => Cpu,
    private readonly code: CodePages,
  ) {}

  clear(): void {
    this.jump.fill(undefined);
    this.blocks.clear();
    this.byPage.clear();
    this.code.clear();
    this.onClear();
  }

  /** A write hit a code page (by any vCPU): forget its blocks. */
  invalidatePage(page: number): void {
    const list = this.byPage.get(page);
    if (!list) return;
    this.byPage.delete(page);
    for (const b of list) {
      b.valid = false;
      this.blocks.delete(b.key);
      this.onInvalidate(b);
      if (b === this.current) this.cpu().breakBlock = true;
    }
  }

  /**
   * The block starting at the current CS:EIP, translating it if needed. Throws fetch faults.
   * The jump cache answers most lookups without a page walk or a map lookup; it is only
   * trusted while the MMU generation (every TLB flush bumps it) and the privilege level match.
   */
  lookup(c: Cpu): Block {
    const eip = c.eip;
    if (eip > c.csLimit) throw new CpuFault(Vec.GP, 0);
    const lin = (c.sbase[Seg.CS] + eip) >>> 0;
    const slot = (lin ^ (lin >>> 12)) & (JC_SIZE - 1);
    const user = c.cpl === 3;
    const j = this.jump[slot];
    if (
      j !== undefined &&
      j.lin === lin &&
      j.valid &&
      j.gen === c.mmu.generation &&
      j.user === user &&
      j.code32 === c.code32
    ) {
      return j;
    }
    const phys = c.mmu.translateFetch(lin);
    const key = phys * 2 + (c.code32 ? 1 : 0);
    let b = this.blocks.get(key);
    if (!b) b = this.translate(c, lin, phys, key, MAX_BLOCK_INSNS, true);
    if (b.key >= 0) {
      b.lin = lin;
      b.gen = c.mmu.generation;
      b.user = user;
      b.code32 = c.code32;
      this.jump[slot] = b;
    }
    return b;
  }

  /**
   * The cached block at CS:`eip` in the current mode, translated if needed (the block compiler
   * follows direct transfers with it); undefined where there is no cacheable block (outside the
   * code segment, a fetch or decode fault, code outside RAM).
   */
  blockAt(c: Cpu, eip: number): Block | undefined {
    if (eip > c.csLimit) return undefined;
    const lin = (c.sbase[Seg.CS] + eip) >>> 0;
    const saved = c.eip;
    try {
      const phys = c.mmu.translateFetch(lin);
      const key = phys * 2 + (c.code32 ? 1 : 0);
      const known = this.blocks.get(key);
      if (known) return known;
      c.eip = eip;
      const b = this.translate(c, lin, phys, key, MAX_BLOCK_INSNS, true);
      return b.key >= 0 ? b : undefined;
    } catch (e) {
      if (e instanceof CpuFault) return undefined;
      throw e;
    } finally {
      c.eip = saved;
    }
  }

  /** Decode a single instruction at CS:EIP without caching it (single-step, breakpoints). */
  single(c: Cpu): Block {
    const eip = c.eip;
    if (eip > c.csLimit) throw new CpuFault(Vec.GP, 0);
    const lin = (c.sbase[Seg.CS] + eip) | 0;
    const phys = c.mmu.translateFetch(lin);
    return this.translate(c, lin, phys, -1, 1, false);
  }

  private translate(c: Cpu, lin: number, phys: number, key: number, max: number, cache: boolean): Block {
    const insns: Insn[] = [];
    const limit = c.csLimit;
    const code32 = c.code32;
    const pageEnd = 0x1000 - (lin & 0xfff);
    let off = 0;
    let crosses = false;
    while (insns.length < max) {
      const start = off;
      let insn: Insn;
      try {
        insn = decode(
          {
            byte: (k) => {
              const eipK = code32 ? (c.eip + start + k) >>> 0 : (c.eip + start + k) & 0xffff;
              if (eipK > limit) throw new CpuFault(Vec.GP, 0);
              return c.mmu.read8((c.sbase[Seg.CS] + eipK) | 0);
            },
          },
          code32,
        );
      } catch (e) {
        // A fault decoding a later instruction belongs to that instruction: end the block before it.
        if (insns.length > 0 && e instanceof CpuFault) break;
        throw e;
      }
      if (start + insn.len > pageEnd) {
        // Crosses into the next page: only ever the sole instruction of an uncached block.
        if (insns.length > 0) break;
        crosses = true;
      }
      insns.push(insn);
      off += insn.len;
      if (insn.ends || crosses || off >= pageEnd) break;
    }
    this.translated++;
    if (this.blocks.size >= MAX_BLOCKS) {
      // Bounded memory: drop every translation of this vCPU. Code-page flags stay set (other
      // vCPUs may rely on them; a spare invalidation later is harmless).
      this.jump.fill(undefined);
      this.blocks.clear();
      this.byPage.clear();
      this.onClear();
    }
    const page = Math.floor(phys / 4096);
    const block = new Block(insns, key, page);
    // Code from MMIO or unassigned addresses is decoded afresh every time: a device may change it.
    if (!cache || crosses || !c.memory.find(phys)?.bytes) return new Block(insns, -1, page);
    this.blocks.set(key, block);
    let list = this.byPage.get(page);
    if (!list) {
      list = [];
      this.byPage.set(page, list);
    }
    list.push(block);
    this.code.protect(page);
    return block;
  }
}
