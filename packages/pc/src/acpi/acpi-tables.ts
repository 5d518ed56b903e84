/**
 * The ACPI tables the board gives a guest, the way PC firmware does: an RSDP in the BIOS area
 * (16-byte aligned, where the kernel scans 0xE0000-0xFFFFF), an RSDT listing a FADT and a MADT,
 * the FADT pointing at a FACS and a DSDT whose only object is `\_S5` (so a guest can power off).
 * Values are the ACPI specification's; the byte layout is written out field by field.
 */

/** The board's ACPI hardware, as the FADT describes it. */
export interface AcpiHardware {
  /** PM1a event block (4 bytes: PM1_STS, PM1_EN). */
  readonly pm1aEventPort: number;
  /** PM1a control block (2 bytes: SCI_EN, SLP_TYP, SLP_EN). */
  readonly pm1aControlPort: number;
  /** PM timer (4 bytes, 24-bit counter at 3.579545 MHz). */
  readonly pmTimerPort: number;
  /** ISA IRQ of the SCI. */
  readonly sciIrq: number;
  /** The value `\_S5` gives for SLP_TYP. */
  readonly s5SleepType: number;
  /** Reset register: an 8-bit I/O port and the value that resets the machine. */
  readonly resetPort: number;
  readonly resetValue: number;
  readonly localApicAddress: number;
}

export interface AcpiTables {
  /** Guest-physical address the bytes belong at. */
  readonly base: number;
  readonly bytes: Uint8Array;
  readonly rsdpAddress: number;
  /** Where each table went, by signature (RSDP, FACS, RSDT, FACP, APIC, DSDT). */
  readonly tables: Readonly<Record<string, number>>;
}

const OEM_ID = 'TSVM  ';
const OEM_TABLE_ID = 'TSVMPC  ';
const SDT_HEADER_BYTES = 36;

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** Set byte `at` so that the bytes [start, end) sum to zero modulo 256. */
function fixChecksum(bytes: Uint8Array, start: number, end: number, at: number): void {
  bytes[at] = 0;
  let sum = 0;
  for (let i = start; i < end; i++) sum += bytes[i];
  bytes[at] = (256 - (sum & 0xff)) & 0xff;
}

/** A system description table: the 36-byte header, then `body`. */
function sdt(signature: string, revision: number, body: Uint8Array): Uint8Array {
  const t = new Uint8Array(SDT_HEADER_BYTES + body.length);
  const v = new DataView(t.buffer);
  t.set(ascii(signature), 0);
  v.setUint32(4, t.length, true);
  t[8] = revision;
  t.set(ascii(OEM_ID), 10);
  t.set(ascii(OEM_TABLE_ID), 16);
  v.setUint32(24, 1, true); // OEM revision
  t.set(ascii('TSVM'), 28); // creator ID
  v.setUint32(32, 1, true); // creator revision
  t.set(body, SDT_HEADER_BYTES);
  fixChecksum(t, 0, t.length, 9);
  return t;
}

/**
 * The DSDT's AML: `Name (\_S5, Package (4) { s5, s5, 0, 0 })` — NameOp, a rooted NameString,
 * PackageOp with a one-byte PkgLength, NumElements, two BytePrefix constants and two ZeroOps.
 */
export function s5Aml(sleepType: number): Uint8Array {
  const elements = [0x0a, sleepType & 7, 0x0a, sleepType & 7, 0x00, 0x00];
  const pkgLength = 1 + 1 + elements.length; // PkgLength counts itself and NumElements
  return Uint8Array.from([0x08, 0x5c, ...ascii('_S5_'), 0x12, pkgLength, 4, ...elements]);
}

function fadt(hw: AcpiHardware, facs: number, dsdt: number): Uint8Array {
  const body = new Uint8Array(244 - SDT_HEADER_BYTES);
  const v = new DataView(body.buffer);
  const at = (offset: number) => offset - SDT_HEADER_BYTES; // offsets below are the spec's
  v.setUint32(at(36), facs, true); // FIRMWARE_CTRL
  v.setUint32(at(40), dsdt, true); // DSDT
  v.setUint16(at(46), hw.sciIrq, true); // SCI_INT
  // SMI_CMD 0: the hardware is always in ACPI mode; there is nothing to enable.
  v.setUint32(at(56), hw.pm1aEventPort, true); // PM1a_EVT_BLK
  v.setUint32(at(64), hw.pm1aControlPort, true); // PM1a_CNT_BLK
  v.setUint32(at(76), hw.pmTimerPort, true); // PM_TMR_BLK
  body[at(88)] = 4; // PM1_EVT_LEN
  body[at(89)] = 2; // PM1_CNT_LEN
  body[at(91)] = 4; // PM_TMR_LEN
  v.setUint16(at(96), 101, true); // P_LVL2_LAT > 100: no C2
  v.setUint16(at(98), 1001, true); // P_LVL3_LAT > 1000: no C3
  body[at(108)] = 0x32; // CENTURY: the CMOS century byte
  v.setUint16(at(109), 0x3, true); // IAPC_BOOT_ARCH: LEGACY_DEVICES | 8042
  // Flags: WBINVD | PROC_C1 | PWR_BUTTON | SLP_BUTTON (both as control methods: none) | FIX_RTC | RESET_REG_SUP
  v.setUint32(at(112), (1 << 0) | (1 << 2) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 10), true);
  // RESET_REG: generic address structure, system I/O space, 8 bits, byte access.
  body[at(116)] = 1;
  body[at(117)] = 8;
  body[at(118)] = 0;
  body[at(119)] = 1;
  v.setBigUint64(at(120), BigInt(hw.resetPort), true);
  body[at(128)] = hw.resetValue; // RESET_VALUE
  // The X_ fields stay zero: the OS takes the 32-bit ones.
  return sdt('FACP', 3, body);
}

function madt(hw: AcpiHardware): Uint8Array {
  const body = new Uint8Array(8 + 8 + 6);
  const v = new DataView(body.buffer);
  v.setUint32(0, hw.localApicAddress, true);
  v.setUint32(4, 1, true); // PCAT_COMPAT: the dual 8259 is present
  // Processor local APIC: type 0, length 8, ACPI processor UID 0, APIC ID 0, enabled.
  body.set([0, 8, 0, 0], 8);
  v.setUint32(12, 1, true);
  // Local APIC NMI: type 4, length 6, all processors, default polarity/trigger, LINT1.
  body.set([4, 6, 0xff, 0, 0, 1], 16);
  return sdt('APIC', 1, body);
}

function facs(): Uint8Array {
  const t = new Uint8Array(64);
  t.set(ascii('FACS'), 0);
  new DataView(t.buffer).setUint32(4, 64, true);
  t[32] = 1; // version
  return t;
}

function rsdp(rsdt: number): Uint8Array {
  const t = new Uint8Array(20);
  t.set(ascii('RSD PTR '), 0);
  t.set(ascii(OEM_ID), 9);
  t[15] = 0; // revision 0: ACPI 1.0 RSDP, RSDT only
  new DataView(t.buffer).setUint32(16, rsdt, true);
  fixChecksum(t, 0, 20, 8);
  return t;
}

/** Where the board's tables go: the start of the BIOS area the kernel scans for the RSDP. */
export const ACPI_TABLES_BASE = 0xe0000;

/** Offsets of each table from `base`; the RSDP first (16-aligned), the FACS 64-aligned. */
const LAYOUT = { RSDP: 0x0, FACS: 0x40, RSDT: 0x80, FACP: 0xc0, APIC: 0x1c0, DSDT: 0x200 } as const;
export const ACPI_TABLES_BYTES = 0x300;

/** Build every table for `hw`, laid out from `base` (16-byte aligned). */
export function buildAcpiTables(base: number, hw: AcpiHardware): AcpiTables {
  if (base % 64 !== 0) throw new RangeError(`ACPI tables base 0x${base.toString(16)} is not 64-byte aligned`);
  const tables = Object.fromEntries(Object.entries(LAYOUT).map(([k, off]) => [k, base + off]));
  const parts: [number, Uint8Array][] = [
    [LAYOUT.FACS, facs()],
    [LAYOUT.FACP, fadt(hw, tables.FACS, tables.DSDT)],
    [LAYOUT.APIC, madt(hw)],
    [LAYOUT.DSDT, sdt('DSDT', 1, s5Aml(hw.s5SleepType))],
  ];
  const rsdtBody = new Uint8Array(8);
  new DataView(rsdtBody.buffer).setUint32(0, tables.FACP, true);
  new DataView(rsdtBody.buffer).setUint32(4, tables.APIC, true);
  parts.push([LAYOUT.RSDT, sdt('RSDT', 1, rsdtBody)], [LAYOUT.RSDP, rsdp(tables.RSDT)]);
  const bytes = new Uint8Array(ACPI_TABLES_BYTES);
  const order = Object.values(LAYOUT).sort((a, b) => a - b);
  for (const [offset, t] of parts) {
    const next = order.find((o) => o > offset) ?? ACPI_TABLES_BYTES;
    if (offset + t.length > next)
      throw new Error(`ACPI table at +0x${offset.toString(16)} overruns its slot`);
    bytes.set(t, offset);
  }
  return { base, bytes, rsdpAddress: tables.RSDP, tables };
}
