import { describe, expect, it } from 'vitest';
import { InterruptRouter } from '../src/index.js';
import { makePc, roundTrip } from './helpers.js';

/** The line level the board drives into IRQ 13 (slave input 5). */
const irq13Line = (pc: Awaited<ReturnType<typeof makePc>>) =>
  (pc.devices.pic.inspect(1).lines & (1 << 5)) !== 0;

describe('FERR# and port 0xF0 (PC/AT numeric error wiring)', () => {
  it('routes the CPU FERR# output to IRQ 13; port 0xF0 drops it and ignores errors until FERR# goes away', async () => {
    const pc = await makePc();
    const router = new InterruptRouter(pc.devices.pic, pc.devices.apic);
    router.coprocessorError = pc.devices.coprocessorError;
    const ferr = (level: boolean) => router.cpuOutput('ferr', level);
    ferr(true);
    expect(irq13Line(pc)).toBe(true);
    expect(pc.devices.coprocessorError.ferrAsserted).toBe(true);
    pc.machine.ports.write(0xf0, 1, 0);
    expect(irq13Line(pc)).toBe(false);
    expect(pc.devices.coprocessorError.ignoringErrors).toBe(true);
    // IGNNE# latched: a repeated FERR# does not raise IRQ 13 again...
    ferr(true);
    expect(irq13Line(pc)).toBe(false);
    // ...until the handler clears the error (FERR# low), which releases IGNNE#.
    ferr(false);
    expect(pc.devices.coprocessorError.ignoringErrors).toBe(false);
    ferr(true);
    expect(irq13Line(pc)).toBe(true);
    // Other CPU output lines are not this board's business.
    router.cpuOutput('smiact', true);
    expect(irq13Line(pc)).toBe(true);
  });

  it('keeps FERR# and IGNNE# across a snapshot, and reset clears them', async () => {
    const pc = await makePc();
    pc.devices.coprocessorError.setFerr(true);
    pc.machine.ports.write(0xf0, 1, 0);
    const copy = await roundTrip(pc);
    expect(copy.devices.coprocessorError.ferrAsserted).toBe(true);
    expect(copy.devices.coprocessorError.ignoringErrors).toBe(true);
    copy.machine.resets.runAll();
    expect(copy.devices.coprocessorError.ferrAsserted).toBe(false);
    expect(copy.devices.coprocessorError.ignoringErrors).toBe(false);
    expect(irq13Line(copy)).toBe(false);
  });
});
