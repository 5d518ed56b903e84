import type { X86CpuState } from '@tsvm/arch-x86';
import type { GuestMemory } from '@tsvm/core';
import { CODE_PAGE_COUNT, type CodePages } from './code-pages.js';
import { type PhysicalAccess, type Translation, walk } from './page-walk.js';
import { sameWatchpoints, type Watchpoint } from './watchpoints.js';

const TLB_BITS = 12;
const TLB_SIZE = 1 << TLB_BITS;
const TLB_MASK = TLB_SIZE - 1;
const CR0_PG = 0x80000000 | 0;
const CR0_WP = 1 << 16;

/**
 * Linear → physical translation with a direct-mapped software TLB, and every guest memory access.
 *
 * Four tag arrays (supervisor/user × read/write) hold the linear page number an entry currently
 * translates, but only when that kind of access may use the fast path: the page is RAM, the
 * permission checks pass, and for writes the dirty bit is already set and the page holds no
 * translated code. Everything else (MMIO, ROM writes, A/D updates, faults, page crossings) takes
 * the slow path through the page walker and `GuestMemory`.
 */
export class Mmu implements PhysicalAccess {
  private readonly supR = new Int32Array(TLB_SIZE).fill(-1);
  private readonly supW = new Int32Array(TLB_SIZE).fill(-1);
  private readonly usrR = new Int32Array(TLB_SIZE).fill(-1);
  private readonly usrW = new Int32Array(TLB_SIZE).fill(-1);
  /** Tags for the current privilege level (CPL 3 → user arrays). */
  tagR = this.supR;
  tagW = this.supW;
  private user = false;
  /** Per TLB entry: the RAM bytes and the page's offset in them (compiled code reads these too). */
  readonly mem: (Uint8Array | null)[] = new Array(TLB_SIZE).fill(null);
  readonly off = new Int32Array(TLB_SIZE);
  /** Per TLB entry: a DataView over the same bytes as `mem` (one bounds-checked load per 16/32-bit access). */
  readonly view: (DataView | null)[] = new Array(TLB_SIZE).fill(null);
  /** One DataView per RAM region's bytes. */
  private readonly views = new WeakMap<Uint8Array, DataView>();
  private readonly physPage = new Int32Array(TLB_SIZE).fill(-1);
  /** Any TLB entry came from a large page: INVLPG must flush everything. */
  private largePages = false;
  /** Physical page → holds translated code (shared by the VM's vCPUs). */
  private readonly codeFlags: Uint8Array;
  /** Bumped whenever translations may have changed (flush, INVLPG): caches keyed by linear address check it. */
  generation = 0;
  /** Set when an MMIO access happened (the run loop then checks for exit requests). */
  ioHappened = false;
  /** Data breakpoints being watched; their pages never get fast TLB entries. */
  private watchpoints: readonly Watchpoint[] = [];
  /** DR6 B0-B3 bits of the watchpoints accessed since this was last cleared. */
  watchHits = 0;
  /**
   * Lockstep checking: every store goes through the slow path and is journaled as (physical
   * address, old byte) pairs so it can be undone; `codeWrites` counts stores into translated code.
   */
  journal: number[] | undefined = undefined;
  slowWritesOnly = false;
  codeWrites = 0;
  /** Page-table entry updates (accessed/dirty bits) so far. */
  walkWrites = 0;
  private readonly tr: Translation = { phys: 0, user: false, rw: false, dirty: false, large: false };

  constructor(
    private readonly state: X86CpuState,
    private readonly memory: GuestMemory,
    private readonly code: CodePages,
  ) {
    this.codeFlags = code.flags;
  }

  setUser(user: boolean): void {
    this.user = user;
    this.tagR = user ? this.usrR : this.supR;
    this.tagW = user ? this.usrW : this.supW;
  }

  flush(): void {
    this.generation++;
    this.supR.fill(-1);
    this.supW.fill(-1);
    this.usrR.fill(-1);
    this.usrW.fill(-1);
    this.largePages = false;
  }

  invalidatePage(lin: number): void {
    this.generation++;
    if (this.largePages) {
      this.flush();
      return;
    }
    const vpn = lin >>> 12;
    const i = vpn & TLB_MASK;
    if (this.supR[i] === vpn || this.usrR[i] === vpn || this.supW[i] === vpn || this.usrW[i] === vpn) {
      this.supR[i] = this.supW[i] = this.usrR[i] = this.usrW[i] = -1;
    }
  }

  /** A page now holds translated code (this or another vCPU's): take away fast writes to it. */
  dropFastWrites(physPage: number): void {
    for (let i = 0; i < TLB_SIZE; i++) {
      if (this.physPage[i] === physPage) this.supW[i] = this.usrW[i] = -1;
    }
  }

  // ---- physical access (slow path; page walker; A20) ------------------------------------

  private a20(phys: number): number {
    if (!this.state.a20Enabled && Math.floor(phys / 0x100000) & 1) return phys - 0x100000;
    return phys;
  }

  readPhys8(phys: number): number {
    const r = this.memory.find(phys);
    if (r?.bytes) return r.bytes[phys - r.base];
    if (r?.mmio) this.ioHappened = true;
    return this.memory.read(phys, 1);
  }

  writePhys8(phys: number, value: number): void {
    const r = this.memory.find(phys);
    // A store to ROM changes nothing, so the code translated from it stays valid.
    if (r?.readonly) return;
    const page = Math.floor(phys / 4096);
    if (page < CODE_PAGE_COUNT && this.codeFlags[page]) this.noteCodeWrite(page);
    if (r?.bytes) {
      if (this.journal) this.journal.push(phys, r.bytes[phys - r.base]);
      r.bytes[phys - r.base] = value;
      return;
    }
    if (r?.mmio) this.ioHappened = true;
    this.memory.write(phys, 1, value & 0xff);
  }

  readPhys32(phys: number): number {
    const r = this.memory.find(phys);
    if (r?.mmio) this.ioHappened = true;
    return this.memory.read(phys, 4);
  }

  writePhys32(phys: number, value: number): void {
    const r = this.memory.find(phys);
    if (r?.readonly) return;
    const page = Math.floor(phys / 4096);
    if (page < CODE_PAGE_COUNT && this.codeFlags[page]) this.noteCodeWrite(page);
    if (r?.mmio) this.ioHappened = true;
    this.walkWrites++;
    if (this.journal && r?.bytes)
      for (let k = 0; k < 4; k++) this.journal.push(phys + k, r.bytes[phys + k - r.base]);
    this.memory.write(phys, 4, value >>> 0);
  }

  private noteCodeWrite(page: number): void {
    this.codeWrites++;
    this.code.written(page);
  }

  /** Undo the journaled stores (newest first) and stop journaling. */
  undoJournal(): void {
    const j = this.journal;
    this.journal = undefined;
    if (!j) return;
    for (let k = j.length - 2; k >= 0; k -= 2) {
      const r = this.memory.find(j[k]);
      if (r?.bytes) r.bytes[j[k] - r.base] = j[k + 1];
    }
  }

  /** Watch these data breakpoints from now on (an empty list stops watching). */
  setWatchpoints(list: readonly Watchpoint[]): void {
    if (sameWatchpoints(list, this.watchpoints)) return;
    this.watchpoints = list;
    this.watchHits = 0;
    this.flush(); // drop fast entries of pages that are watched now
  }

  get watching(): boolean {
    return this.watchpoints.length !== 0;
  }

  private onWatchedPage(lin: number): boolean {
    const vpn = lin >>> 12;
    return this.watchpoints.some((w) => w.lin >>> 12 === vpn || (w.lin + w.len - 1) >>> 12 === vpn);
  }

  private noteAccess(lin: number, size: number, write: boolean): void {
    lin >>>= 0;
    for (const w of this.watchpoints) {
      if ((write || w.onRead) && lin < w.lin + w.len && w.lin < lin + size) this.watchHits |= 1 << w.index;
    }
  }

  /** Physical address for a linear one; fills the TLB when the page is plain memory. */
  translate(lin: number, write: boolean, user: boolean): number {
    lin >>>= 0;
    const tr = this.tr;
    if (this.state.cr0 & CR0_PG) {
      walk(this.state, this, lin, write, user, tr);
    } else {
      tr.phys = lin;
      tr.user = true;
      tr.rw = true;
      tr.dirty = true;
      tr.large = false;
    }
    const phys = this.a20(tr.phys);
    this.fill(lin, phys - (lin & 0xfff));
    return phys;
  }

  private fill(lin: number, physBase: number): void {
    // A watched page stays on the slow path, where every access is checked.
    if (this.watchpoints.length !== 0 && this.onWatchedPage(lin)) return;
    const r = this.memory.find(physBase);
    if (!r?.bytes || physBase + 4096 > r.base + r.size) return;
    const tr = this.tr;
    const vpn = lin >>> 12;
    const i = vpn & TLB_MASK;
    const page = physBase / 4096;
    const wp = (this.state.cr0 & CR0_WP) !== 0;
    const canWrite =
      !r.readonly && tr.dirty && !(page < CODE_PAGE_COUNT && this.codeFlags[page]) && !this.slowWritesOnly;
    this.mem[i] = r.bytes;
    this.view[i] = this.viewOf(r.bytes);
    this.off[i] = physBase - r.base;
    this.physPage[i] = page < CODE_PAGE_COUNT ? page : -1;
    this.supR[i] = vpn;
    this.supW[i] = canWrite && (tr.rw || !wp) ? vpn : -1;
    this.usrR[i] = tr.user ? vpn : -1;
    this.usrW[i] = canWrite && tr.user && tr.rw ? vpn : -1;
    if (tr.large) this.largePages = true;
  }

  private viewOf(bytes: Uint8Array): DataView {
    let v = this.views.get(bytes);
    if (v === undefined) {
      v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      this.views.set(bytes, v);
    }
    return v;
  }

  // ---- linear access (CPL-checked) ----------------------------------------------------------

  read8(lin: number): number {
    const vpn = lin >>> 12;
    const i = vpn & TLB_MASK;
    if (this.tagR[i] === vpn) return this.mem[i]![(lin & 0xfff) + this.off[i]];
    if (this.watchpoints.length !== 0) this.noteAccess(lin, 1, false);
    return this.readPhys8(this.translate(lin, false, this.user));
  }

  read16(lin: number): number {
    const vpn = lin >>> 12;
    const i = vpn & TLB_MASK;
    const o = lin & 0xfff;
    if (this.tagR[i] === vpn && o !== 0xfff) {
      const m = this.mem[i]!;
      const p = o + this.off[i];
      return m[p] | (m[p + 1] << 8);
    }
    return this.readSlow(lin, 2, this.user);
  }

  read32(lin: number): number {
    const vpn = lin >>> 12;
    const i = vpn & TLB_MASK;
    const o = lin & 0xfff;
    if (this.tagR[i] === vpn && o <= 0xffc) {
      const m = this.mem[i]!;
      const p = o + this.off[i];
      return (m[p] | (m[p + 1] << 8) | (m[p + 2] << 16) | (m[p + 3] << 24)) >>> 0;
    }
    return this.readSlow(lin, 4, this.user);
  }

  write8(lin: number, v: number): void {
    const vpn = lin >>> 12;
    const i = vpn & TLB_MASK;
    if (this.tagW[i] === vpn) {
      this.mem[i]![(lin & 0xfff) + this.off[i]] = v;
      return;
    }
    if (this.watchpoints.length !== 0) this.noteAccess(lin, 1, true);
    this.writePhys8(this.translate(lin, true, this.user), v);
  }

  write16(lin: number, v: number): void {
    const vpn = lin >>> 12;
    const i = vpn & TLB_MASK;
    const o = lin & 0xfff;
    if (this.tagW[i] === vpn && o !== 0xfff) {
      const m = this.mem[i]!;
      const p = o + this.off[i];
      m[p] = v;
      m[p + 1] = v >> 8;
      return;
    }
    this.writeSlow(lin, 2, v, this.user);
  }

  write32(lin: number, v: number): void {
    const vpn = lin >>> 12;
    const i = vpn & TLB_MASK;
    const o = lin & 0xfff;
    if (this.tagW[i] === vpn && o <= 0xffc) {
      const m = this.mem[i]!;
      const p = o + this.off[i];
      m[p] = v;
      m[p + 1] = v >> 8;
      m[p + 2] = v >> 16;
      m[p + 3] = v >> 24;
      return;
    }
    this.writeSlow(lin, 4, v, this.user);
  }

  /** Check that a write of `size` bytes at `lin` would succeed (fault now, before any state changes). */
  probeWrite(lin: number, size: number): void {
    const vpn = lin >>> 12;
    if (this.tagW[vpn & TLB_MASK] === vpn && (lin & 0xfff) + size <= 0x1000) return;
    this.translate(lin, true, this.user);
    if ((lin & 0xfff) + size > 0x1000) this.translate(lin + size - 1, true, this.user);
  }

  readSlow(lin: number, size: number, user: boolean): number {
    if (this.watchpoints.length !== 0) this.noteAccess(lin, size, false);
    const o = lin & 0xfff;
    if (o + size <= 0x1000) {
      const phys = this.translate(lin, false, user);
      if (size === 1) return this.readPhys8(phys);
      const r = this.memory.find(phys);
      if (r?.mmio) this.ioHappened = true;
      return this.memory.read(phys, size as 2 | 4);
    }
    // Crosses a page: both translations must succeed before any byte is read.
    const first = this.translate(lin, false, user);
    const second = this.translate((lin + size - 1) & ~0xfff, false, user);
    let v = 0;
    for (let k = 0; k < size; k++) {
      const b = o + k < 0x1000 ? this.readPhys8(first + k) : this.readPhys8(second + (o + k - 0x1000));
      v |= b << (8 * k);
    }
    return v >>> 0;
  }

  writeSlow(lin: number, size: number, v: number, user: boolean): void {
    if (this.watchpoints.length !== 0) this.noteAccess(lin, size, true);
    const o = lin & 0xfff;
    if (o + size <= 0x1000) {
      const phys = this.translate(lin, true, user);
      const r = this.memory.find(phys);
      if (r?.mmio) {
        // Devices see the access at its real width (an APIC register write is one dword write).
        this.ioHappened = true;
        this.memory.write(phys, size as 1 | 2 | 4, size === 4 ? v >>> 0 : v & (size === 2 ? 0xffff : 0xff));
        return;
      }
      for (let k = 0; k < size; k++) this.writePhys8(phys + k, (v >>> (8 * k)) & 0xff);
      return;
    }
    const first = this.translate(lin, true, user);
    const second = this.translate((lin + size - 1) & ~0xfff, true, user);
    for (let k = 0; k < size; k++) {
      const b = (v >>> (8 * k)) & 0xff;
      if (o + k < 0x1000) this.writePhys8(first + k, b);
      else this.writePhys8(second + (o + k - 0x1000), b);
    }
  }

  /** Supervisor-privileged reads and writes (descriptor tables, TSS, IDT): never CPL-checked. */
  readSys(lin: number, size: number): number {
    return this.readSlow(lin | 0, size, false);
  }

  writeSys(lin: number, size: number, v: number): void {
    this.writeSlow(lin | 0, size, v, false);
  }

  /**
   * Physical address of an instruction fetch at `lin` (read permission at the current CPL).
   * A TLB hit needs no page walk: block lookups happen once per executed block.
   */
  translateFetch(lin: number): number {
    const vpn = lin >>> 12;
    const i = vpn & TLB_MASK;
    if (this.tagR[i] === vpn && this.physPage[i] >= 0) return this.physPage[i] * 4096 + (lin & 0xfff);
    return this.translate(lin, false, this.user);
  }
}
