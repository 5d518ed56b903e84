import { makePendingEvents, type PendingEvents } from './events.js';
import { MpState } from './registers.js';
import { makeSegment, type SegmentRegister, type TableRegister } from './segment.js';

/** Size of the XSAVE area kept in the state; the first 512 bytes are the FXSAVE layout. */
export const XSAVE_AREA_BYTES = 4096;
export const FXSAVE_AREA_BYTES = 512;

/**
 * The canonical state of one x86 vCPU. Accelerators either use it directly (the TS executor)
 * or keep it in step with their own copy through the writeback levels (KVM).
 *
 * 64-bit values on hot paths are split into unsigned 32-bit halves (`eip` + `ripHigh`,
 * `gprLow` + `gprHigh`, segment `base` + `baseHigh`) so an executor can work with plain numbers;
 * cold 64-bit values (MSRs, TSC, CR2, DR0-3) are bigints.
 */
export class X86CpuState {
  /** Low 32 bits of RAX..R15, indexed by `Gpr` (two's complement int32 view). */
  readonly gprLow = new Int32Array(16);
  /** High 32 bits of RAX..R15. */
  readonly gprHigh = new Int32Array(16);
  /** Low 32 bits of RIP (unsigned). */
  eip = 0;
  ripHigh = 0;
  /** RFLAGS (the upper 32 bits are reserved and always zero). */
  rflags = 0x2;

  es: SegmentRegister = makeSegment();
  cs: SegmentRegister = makeSegment();
  ss: SegmentRegister = makeSegment();
  ds: SegmentRegister = makeSegment();
  fs: SegmentRegister = makeSegment();
  gs: SegmentRegister = makeSegment();
  ldt: SegmentRegister = makeSegment({ s: false, type: 2 });
  tr: SegmentRegister = makeSegment({ s: false, type: 3 });
  gdt: TableRegister = { base: 0, baseHigh: 0, limit: 0xffff };
  idt: TableRegister = { base: 0, baseHigh: 0, limit: 0xffff };

  cr0 = 0x60000010;
  cr2 = 0n;
  cr3 = 0;
  cr4 = 0;
  /** Task-priority register as CR8 (4 bits). */
  cr8 = 0;
  efer = 0;
  /** IA32_APIC_BASE: base address and the enable / BSP bits. */
  apicBase = 0;

  /** XSAVE area; `fxsave` is a view of its first 512 bytes (FCW, FSW, FTW, …, MXCSR, ST0-7, XMM0-15). */
  readonly xsave = new Uint8Array(XSAVE_AREA_BYTES);
  readonly fxsave = this.xsave.subarray(0, FXSAVE_AREA_BYTES);
  /** XCR0: which state components XSAVE manages (bit 0, x87, is always set). */
  xcr0 = 1n;

  /** DR0-DR3 breakpoint addresses. */
  readonly dr = new BigUint64Array(4);
  dr6 = 0xffff0ff0;
  dr7 = 0x400;

  /** IA32_TSC. */
  tsc = 0n;
  /** Guest TSC frequency in kHz; 0 means "the host's". Written only at Full level. */
  tscFrequencyKhz = 0;
  /** Every other MSR the vCPU has, by index (SYSENTER, PAT, STAR…, MTRRs, TSC deadline, …). */
  readonly msrs = new Map<number, bigint>();

  mpState: MpState = MpState.Runnable;
  events: PendingEvents = makePendingEvents();
  /** A20 gate: when false, physical address bit 20 is forced to zero. */
  a20Enabled = true;

  /** Read a full 64-bit general register. */
  getGpr64(index: number): bigint {
    return (BigInt(this.gprHigh[index] >>> 0) << 32n) | BigInt(this.gprLow[index] >>> 0);
  }

  setGpr64(index: number, value: bigint): void {
    this.gprLow[index] = Number(value & 0xffffffffn);
    this.gprHigh[index] = Number((value >> 32n) & 0xffffffffn);
  }

  /** Read the low 32 bits of a general register as an unsigned number. */
  getGpr32(index: number): number {
    return this.gprLow[index] >>> 0;
  }

  get rip(): bigint {
    return (BigInt(this.ripHigh >>> 0) << 32n) | BigInt(this.eip >>> 0);
  }

  set rip(value: bigint) {
    this.eip = Number(value & 0xffffffffn);
    this.ripHigh = Number((value >> 32n) & 0xffffffffn);
  }

  /** FXSAVE words used often enough to name. */
  get fpuControlWord(): number {
    return this.fxsave[0] | (this.fxsave[1] << 8);
  }
  get mxcsr(): number {
    return new DataView(this.xsave.buffer, this.xsave.byteOffset + 24, 4).getUint32(0, true);
  }
}
