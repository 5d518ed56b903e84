import { describe, expect, it } from 'vitest';
import { ACPI_TABLES_BASE, PC_ACPI_HARDWARE, PM_TIMER_HZ, s5Aml } from '../src/index.js';
import { advance, makePc, roundTrip } from './helpers.js';

const text = (b: Uint8Array, at: number, n: number) => String.fromCharCode(...b.subarray(at, at + n));
const sum = (b: Uint8Array) => b.reduce((a, x) => (a + x) & 0xff, 0);

describe('ACPI tables', () => {
  it('puts a checksummed RSDP on a 16-byte boundary in the BIOS area, pointing at the RSDT', async () => {
    const { acpi } = await makePc();
    expect(acpi.rsdpAddress % 16).toBe(0);
    expect(acpi.rsdpAddress).toBeGreaterThanOrEqual(0xe0000);
    expect(acpi.rsdpAddress).toBeLessThan(0x100000);
    const at = acpi.rsdpAddress - acpi.base;
    const rsdp = acpi.bytes.subarray(at, at + 20);
    expect(text(rsdp, 0, 8)).toBe('RSD PTR ');
    expect(sum(rsdp)).toBe(0);
    expect(new DataView(rsdp.buffer, rsdp.byteOffset).getUint32(16, true)).toBe(acpi.tables.RSDT);
  });

  it('links RSDT → FADT, MADT and FADT → FACS, DSDT, every table checksummed', async () => {
    const { acpi } = await makePc();
    const table = (address: number) => {
      const at = address - ACPI_TABLES_BASE;
      const length = new DataView(acpi.bytes.buffer).getUint32(at + 4, true);
      return acpi.bytes.subarray(at, at + length);
    };
    const u32 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset).getUint32(at, true);
    const rsdt = table(acpi.tables.RSDT);
    expect(text(rsdt, 0, 4)).toBe('RSDT');
    const entries = [u32(rsdt, 36), u32(rsdt, 40)].map((a) => text(table(a), 0, 4));
    expect(entries).toEqual(['FACP', 'APIC']);
    const fadt = table(acpi.tables.FACP);
    for (const t of [rsdt, fadt, table(acpi.tables.APIC), table(acpi.tables.DSDT)]) expect(sum(t)).toBe(0);
    expect(fadt.length).toBe(244);
    expect(text(table(u32(fadt, 40)), 0, 4)).toBe('DSDT');
    expect(text(acpi.bytes, u32(fadt, 36) - ACPI_TABLES_BASE, 4)).toBe('FACS');
    expect(u32(fadt, 36) % 64).toBe(0);
    expect(u32(fadt, 56)).toBe(PC_ACPI_HARDWARE.pm1aEventPort);
    expect(u32(fadt, 64)).toBe(PC_ACPI_HARDWARE.pm1aControlPort);
    expect(u32(fadt, 76)).toBe(PC_ACPI_HARDWARE.pmTimerPort);
    expect(fadt[116]).toBe(1); // reset register in system I/O space
    expect(u32(fadt, 120)).toBe(0xcf9);
    expect(fadt[128]).toBe(0x06);
    expect(u32(fadt, 112) & (1 << 10)).toBe(1 << 10); // RESET_REG_SUP
    const madt = table(acpi.tables.APIC);
    expect(u32(madt, 36)).toBe(0xfee00000);
    expect(u32(madt, 40) & 1).toBe(1); // PCAT_COMPAT: 8259s present
    expect([...madt.subarray(44, 52)]).toEqual([0, 8, 0, 0, 1, 0, 0, 0]); // local APIC 0, enabled
  });

  it('writes \\_S5 in AML by hand: Name(\\_S5_, Package(4){5, 5, 0, 0})', () => {
    expect([...s5Aml(5)]).toEqual([
      0x08, 0x5c, 0x5f, 0x53, 0x35, 0x5f, 0x12, 0x08, 0x04, 0x0a, 5, 0x0a, 5, 0, 0,
    ]);
  });
});

describe('ACPI PM block', () => {
  const cnt = PC_ACPI_HARDWARE.pm1aControlPort;
  it('powers off on SLP_EN with the S5 sleep type, and only then', async () => {
    const pc = await makePc();
    const stops: unknown[] = [];
    pc.machine.requestStop = (s) => void stops.push(s);
    expect(pc.machine.ports.read(cnt, 2) & 1).toBe(1); // SCI_EN: always in ACPI mode
    pc.machine.ports.write(cnt, 2, (3 << 10) | (1 << 13)); // S3: not offered, ignored
    pc.machine.ports.write(cnt, 2, 5 << 10); // S5 without SLP_EN
    expect(stops).toEqual([]);
    pc.machine.ports.write(cnt, 2, (5 << 10) | (1 << 13));
    expect(stops).toEqual([{ reason: 'shutdown', message: 'guest powered off (ACPI S5)' }]);
    expect(pc.machine.ports.read(cnt, 2) & (1 << 13)).toBe(0); // SLP_EN reads 0
  });

  it('counts the PM timer at 3.579545 MHz of virtual time, 24 bits wide', async () => {
    const pc = await makePc();
    const port = PC_ACPI_HARDWARE.pmTimerPort;
    const t0 = pc.machine.ports.read(port, 4);
    advance(pc, 1e6); // 1 ms
    const t1 = pc.machine.ports.read(port, 4);
    expect((t1 - t0) & 0xffffff).toBeCloseTo(PM_TIMER_HZ / 1000, -1);
    expect(t1).toBeLessThan(1 << 24);
  });

  it('keeps status (write 1 to clear) and enable across a snapshot, clears them at reset', async () => {
    const pc = await makePc();
    const evt = PC_ACPI_HARDWARE.pm1aEventPort;
    pc.machine.ports.write(evt + 2, 2, 0x0120);
    expect((await roundTrip(pc)).machine.ports.read(evt + 2, 2)).toBe(0x0120);
    pc.machine.ports.write(evt, 2, 0xffff); // clearing every status bit leaves enable alone
    expect(pc.machine.ports.read(evt, 4)).toBe(0x01200000);
    pc.machine.reset();
    expect(pc.machine.ports.read(evt, 4)).toBe(0);
  });
});

describe('ACPI power button', () => {
  const evt = PC_ACPI_HARDWARE.pm1aEventPort;
  /** IRQ 9 as the slave 8259's IRR shows it (OCW3 read-IRR), with IRQ 9 level-triggered as Linux sets the SCI. */
  const sciPending = (pc: Awaited<ReturnType<typeof makePc>>) => {
    pc.machine.ports.write(0xa0, 1, 0x0a);
    return (pc.machine.ports.read(0xa0, 1) & 0x02) !== 0;
  };

  it('sets PWRBTN_STS; raises the SCI on IRQ 9 only while PWRBTN_EN is set and the status not cleared', async () => {
    const pc = await makePc();
    pc.machine.ports.write(0x4d1, 1, 0x02); // ELCR: IRQ 9 level-triggered
    pc.pressPowerButton();
    expect(pc.machine.ports.read(evt, 2) & 0x100).toBe(0x100);
    expect(sciPending(pc)).toBe(false); // no ACPI driver has enabled the event
    pc.machine.ports.write(evt + 2, 2, 0x100); // PWRBTN_EN
    expect(sciPending(pc)).toBe(true);
    pc.machine.ports.write(evt, 2, 0x100); // the driver acknowledges: write 1 to clear
    expect(pc.machine.ports.read(evt, 2) & 0x100).toBe(0);
    expect(sciPending(pc)).toBe(false);
    pc.pressPowerButton(); // pressed again, enabled: straight to the SCI
    expect(sciPending(pc)).toBe(true);
    pc.machine.reset();
    expect(pc.machine.ports.read(evt, 4)).toBe(0);
    expect(sciPending(pc)).toBe(false);
  });
});
