import type { X86CpuState } from '@tsvm/arch-x86';
import { Cr0, Flag, type SegmentName } from '@tsvm/arch-x86';
import type { TargetDescription, TargetRegister } from './target-description.js';

const CORE = 'org.gnu.gdb.i386.core';
const SSE = 'org.gnu.gdb.i386.sse';

const u32 = (v: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  return b;
};
const fromU32 = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);
const fx = (s: X86CpuState) => new DataView(s.fxsave.buffer, s.fxsave.byteOffset, s.fxsave.byteLength);

function reg32(
  name: string,
  type: string,
  get: (s: X86CpuState) => number,
  set: (s: X86CpuState, v: number) => string | undefined,
  group?: string,
  feature = CORE,
): TargetRegister<X86CpuState> {
  return {
    name,
    bits: 32,
    type,
    group,
    feature,
    read: (s) => u32(get(s)),
    write: (s, b) => set(s, fromU32(b)),
  };
}

const GPRS = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'] as const;

/** Segment selectors: in real mode a write reloads the base too; in protected mode only the value already loaded is taken. */
function segment(name: SegmentName): TargetRegister<X86CpuState> {
  return reg32(
    name,
    'int32',
    (s) => s[name].selector,
    (s, v) => {
      if (v === s[name].selector) return undefined;
      if (v > 0xffff) return `${name}: ${v.toString(16)} is not a 16-bit selector`;
      if (s.cr0 & Cr0.PE || s.rflags & Flag.VM)
        return `${name}: changing a selector in protected mode would need its descriptor loaded; not supported`;
      s[name].selector = v;
      s[name].base = v << 4;
      return undefined;
    },
  );
}

/** The x87 tag word gdb shows (2 bits per physical register) from FXSAVE's abridged one. */
function fullTagWord(s: X86CpuState): number {
  const d = fx(s);
  const abridged = s.fxsave[4];
  const top = (d.getUint16(2, true) >> 11) & 7;
  let tags = 0;
  for (let phys = 0; phys < 8; phys++) {
    let tag = 3; // empty
    if (abridged & (1 << phys)) {
      const st = (phys - top + 8) & 7; // FXSAVE keeps the registers in stack order
      const mantissa = d.getBigUint64(32 + st * 16, true);
      const exponent = d.getUint16(32 + st * 16 + 8, true) & 0x7fff;
      if (exponent === 0x7fff) tag = 2;
      else if (exponent === 0) tag = mantissa === 0n ? 1 : 2;
      else tag = mantissa >> 63n ? 0 : 2;
    }
    tags |= tag << (phys * 2);
  }
  return tags;
}

function fpuWord(name: string, offset: number, bytes: 2 | 4): TargetRegister<X86CpuState> {
  return reg32(
    name,
    'int',
    (s) => (bytes === 2 ? fx(s).getUint16(offset, true) : fx(s).getUint32(offset, true)),
    (s, v) => {
      if (bytes === 2) fx(s).setUint16(offset, v & 0xffff, true);
      else fx(s).setUint32(offset, v, true);
      return undefined;
    },
    'float',
  );
}

const EFLAGS_TYPE = `    <flags id="i386_eflags" size="4">
      <field name="CF" start="0" end="0"/>
      <field name="" start="1" end="1"/>
      <field name="PF" start="2" end="2"/>
      <field name="AF" start="4" end="4"/>
      <field name="ZF" start="6" end="6"/>
      <field name="SF" start="7" end="7"/>
      <field name="TF" start="8" end="8"/>
      <field name="IF" start="9" end="9"/>
      <field name="DF" start="10" end="10"/>
      <field name="OF" start="11" end="11"/>
      <field name="IOPL" start="12" end="13"/>
      <field name="NT" start="14" end="14"/>
      <field name="RF" start="16" end="16"/>
      <field name="VM" start="17" end="17"/>
      <field name="AC" start="18" end="18"/>
      <field name="VIF" start="19" end="19"/>
      <field name="VIP" start="20" end="20"/>
      <field name="ID" start="21" end="21"/>
    </flags>`;

const SSE_TYPES = `    <vector id="v4f" type="ieee_single" count="4"/>
    <vector id="v2d" type="ieee_double" count="2"/>
    <vector id="v16i8" type="int8" count="16"/>
    <vector id="v8i16" type="int16" count="8"/>
    <vector id="v4i32" type="int32" count="4"/>
    <vector id="v2i64" type="int64" count="2"/>
    <union id="vec128">
      <field name="v4_float" type="v4f"/>
      <field name="v2_double" type="v2d"/>
      <field name="v16_int8" type="v16i8"/>
      <field name="v8_int16" type="v8i16"/>
      <field name="v4_int32" type="v4i32"/>
      <field name="v2_int64" type="v2i64"/>
      <field name="uint128" type="uint128"/>
    </union>`;

/**
 * gdb's 32-bit x86 target: the core feature (general, segment and x87 registers) and SSE, in
 * gdb's i386 numbering. Values come from and go to the canonical `X86CpuState` only.
 */
export const I386_TARGET: TargetDescription<X86CpuState> = {
  architecture: 'i386',
  featureTypes: { [CORE]: EFLAGS_TYPE, [SSE]: SSE_TYPES },
  registers: [
    ...GPRS.map((name, i) =>
      reg32(
        name,
        name === 'esp' || name === 'ebp' ? 'data_ptr' : 'int32',
        (s) => s.gprLow[i],
        (s, v) => {
          s.gprLow[i] = v;
          return undefined;
        },
      ),
    ),
    reg32(
      'eip',
      'code_ptr',
      (s) => s.eip,
      (s, v) => {
        s.eip = v;
        return undefined;
      },
    ),
    reg32(
      'eflags',
      'i386_eflags',
      (s) => s.rflags,
      (s, v) => {
        s.rflags = ((v & 0x3f7fd7) | 2) >>> 0; // reserved bits as the CPU keeps them
        return undefined;
      },
    ),
    ...(['cs', 'ss', 'ds', 'es', 'fs', 'gs'] as const).map(segment),
    ...Array.from(
      { length: 8 },
      (_, i): TargetRegister<X86CpuState> => ({
        name: `st${i}`,
        bits: 80,
        type: 'i387_ext',
        feature: CORE,
        read: (s) => s.fxsave.slice(32 + i * 16, 32 + i * 16 + 10),
        write: (s, b) => {
          s.fxsave.set(b.subarray(0, 10), 32 + i * 16);
          return undefined;
        },
      }),
    ),
    fpuWord('fctrl', 0, 2),
    fpuWord('fstat', 2, 2),
    reg32(
      'ftag',
      'int',
      fullTagWord,
      (s, v) => {
        let abridged = 0;
        for (let phys = 0; phys < 8; phys++) if (((v >> (phys * 2)) & 3) !== 3) abridged |= 1 << phys;
        s.fxsave[4] = abridged;
        return undefined;
      },
      'float',
    ),
    fpuWord('fiseg', 12, 2),
    fpuWord('fioff', 8, 4),
    fpuWord('foseg', 20, 2),
    fpuWord('fooff', 16, 4),
    fpuWord('fop', 6, 2),
    ...Array.from(
      { length: 8 },
      (_, i): TargetRegister<X86CpuState> => ({
        name: `xmm${i}`,
        bits: 128,
        type: 'vec128',
        feature: SSE,
        read: (s) => s.fxsave.slice(160 + i * 16, 176 + i * 16),
        write: (s, b) => {
          s.fxsave.set(b.subarray(0, 16), 160 + i * 16);
          return undefined;
        },
      }),
    ),
    reg32(
      'mxcsr',
      'int',
      (s) => s.mxcsr,
      (s, v) => {
        fx(s).setUint32(24, v, true);
        return undefined;
      },
      'vector',
      SSE,
    ),
  ],
};
