import { type RecordFields, SnapshotError, type StateRecord } from '@tsvm/core';
import type { PendingEvents } from '../state/events.js';
import { GPR_NAMES, type MpState } from '../state/registers.js';
import type { SegmentRegister, TableRegister } from '../state/segment.js';
import { type X86CpuState, XSAVE_AREA_BYTES } from '../state/x86-cpu-state.js';

/** Version of the `cpu/N` snapshot section this code writes. */
export const CPU_STATE_VERSION = 1;

const SEGMENTS = ['es', 'cs', 'ss', 'ds', 'fs', 'gs', 'ldt', 'tr'] as const;
const TABLES = ['gdt', 'idt'] as const;
const u64 = (lo: number, hi: number) => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);

// Executors compute 32-bit registers with JS bit operators, which yield signed values;
// the record holds them unsigned, as the loader checks.
function saveSegment(s: SegmentRegister): StateRecord {
  return { ...s, base: s.base >>> 0, baseHigh: s.baseHigh >>> 0, limit: s.limit >>> 0 };
}

/** Encode the whole vCPU state as named fields. */
export function saveCpuState(state: X86CpuState): StateRecord {
  const gpr: Record<string, bigint> = {};
  GPR_NAMES.forEach((name, i) => {
    gpr[name] = u64(state.gprLow[i], state.gprHigh[i]);
  });
  const segments: Record<string, StateRecord> = {};
  for (const name of SEGMENTS) segments[name] = saveSegment(state[name]);
  const tables: Record<string, StateRecord> = {};
  for (const name of TABLES) {
    const t = state[name];
    tables[name] = { base: t.base >>> 0, baseHigh: t.baseHigh >>> 0, limit: t.limit };
  }
  return {
    gpr,
    rip: state.rip,
    rflags: state.rflags >>> 0,
    segments,
    tables,
    cr0: state.cr0 >>> 0,
    cr2: state.cr2,
    cr3: state.cr3,
    cr4: state.cr4 >>> 0,
    cr8: state.cr8,
    efer: state.efer >>> 0,
    apicBase: state.apicBase >>> 0,
    xsave: state.xsave.slice(),
    xcr0: state.xcr0,
    dr0: state.dr[0],
    dr1: state.dr[1],
    dr2: state.dr[2],
    dr3: state.dr[3],
    dr6: state.dr6 >>> 0,
    dr7: state.dr7 >>> 0,
    tsc: state.tsc,
    tscFrequencyKhz: state.tscFrequencyKhz,
    msrs: [...state.msrs].map(([index, value]) => ({ index, value })),
    mpState: state.mpState,
    events: {
      exception: { ...state.events.exception },
      interrupt: { ...state.events.interrupt },
      nmi: { ...state.events.nmi },
      sipiVector: state.events.sipiVector,
    },
    a20Enabled: state.a20Enabled,
  };
}

function loadSegment(f: RecordFields): SegmentRegister {
  return {
    selector: f.uint('selector', 16),
    base: f.uint('base'),
    baseHigh: f.uint('baseHigh'),
    limit: f.uint('limit'),
    type: f.uint('type', 4),
    s: f.boolean('s'),
    dpl: f.uint('dpl', 2),
    present: f.boolean('present'),
    avl: f.boolean('avl'),
    l: f.boolean('l'),
    db: f.boolean('db'),
    g: f.boolean('g'),
    unusable: f.boolean('unusable'),
  };
}

function loadTable(f: RecordFields): TableRegister {
  return { base: f.uint('base'), baseHigh: f.uint('baseHigh'), limit: f.uint('limit', 16) };
}

function loadEvents(f: RecordFields): PendingEvents {
  const e = f.nested('exception');
  const i = f.nested('interrupt');
  const n = f.nested('nmi');
  return {
    exception: {
      injected: e.boolean('injected'),
      pending: e.boolean('pending'),
      vector: e.uint('vector', 8),
      hasErrorCode: e.boolean('hasErrorCode'),
      errorCode: e.uint('errorCode'),
    },
    interrupt: {
      injected: i.boolean('injected'),
      vector: i.uint('vector', 8),
      soft: i.boolean('soft'),
      shadow: i.uint('shadow', 8),
    },
    nmi: { injected: n.boolean('injected'), pending: n.boolean('pending'), masked: n.boolean('masked') },
    sipiVector: f.uint('sipiVector', 8),
  };
}

/** Validate every field, then return the assignment that applies them (cannot fail). */
export function prepareCpuStateLoad(state: X86CpuState, f: RecordFields, version: number): () => void {
  if (version !== CPU_STATE_VERSION) {
    throw new SnapshotError('mismatch', `${f.context}: CPU state version ${version} is not readable`);
  }
  const gprFields = f.nested('gpr');
  const gpr = GPR_NAMES.map((name) => gprFields.bigint(name));
  const segments = Object.fromEntries(
    SEGMENTS.map((name) => [name, loadSegment(f.nested('segments').nested(name))]),
  );
  const tables = Object.fromEntries(TABLES.map((name) => [name, loadTable(f.nested('tables').nested(name))]));
  const rip = f.bigint('rip');
  const rflags = f.uint('rflags');
  const cr = {
    cr0: f.uint('cr0'),
    cr2: f.bigint('cr2'),
    cr3: f.uint('cr3', 52),
    cr4: f.uint('cr4'),
    cr8: f.uint('cr8', 4),
  };
  const efer = f.uint('efer');
  const apicBase = f.uint('apicBase', 52);
  const xsave = f.bytes('xsave', XSAVE_AREA_BYTES);
  const xcr0 = f.bigint('xcr0');
  const dr = [f.bigint('dr0'), f.bigint('dr1'), f.bigint('dr2'), f.bigint('dr3')];
  const dr6 = f.uint('dr6');
  const dr7 = f.uint('dr7');
  const tsc = f.bigint('tsc');
  const tscFrequencyKhz = f.uint('tscFrequencyKhz');
  const msrs = f.list('msrs').map((m) => [m.uint('index'), m.bigint('value')] as const);
  const mpState = f.uint('mpState', 3) as MpState;
  const events = loadEvents(f.nested('events'));
  const a20Enabled = f.boolean('a20Enabled');
  return () => {
    for (const [i, v] of gpr.entries()) state.setGpr64(i, v);
    state.rip = rip;
    state.rflags = rflags;
    for (const name of SEGMENTS) state[name] = segments[name];
    for (const name of TABLES) state[name] = tables[name];
    Object.assign(state, cr, {
      efer,
      apicBase,
      dr6,
      dr7,
      tsc,
      tscFrequencyKhz,
      mpState,
      events,
      a20Enabled,
      xcr0,
    });
    state.xsave.set(xsave);
    dr.forEach((v, i) => {
      state.dr[i] = v;
    });
    state.msrs.clear();
    for (const [index, value] of msrs) state.msrs.set(index, value);
  };
}
