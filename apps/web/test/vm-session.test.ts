import { describe, expect, it } from 'vitest';
import type { VmStatus } from '../src/protocol.js';
import { VmSession } from '../src/vm-session.js';
import { bytesOf, DEMO, IRQGUEST } from './guests.js';

/** A session under Node with everything it reports collected. */
function collect() {
  let serial = '';
  const notes: string[] = [];
  const booted: string[] = [];
  const statuses: VmStatus[] = [];
  const session = new VmSession({
    serial: (b) => {
      serial += new TextDecoder().decode(b);
    },
    booted: (name) => booted.push(name),
    status: (s) => statuses.push(s),
    note: (level, text) => notes.push(`${level}: ${text}`),
  });
  const until = async (what: () => boolean, label: string, ms = 20_000) => {
    const end = Date.now() + ms;
    while (!what()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${label}; serial so far:\n${serial}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  return {
    session,
    notes,
    booted,
    statuses,
    serial: () => serial,
    until,
    waitFor: (text: string) => until(() => serial.includes(text), `'${text}'`),
  };
}

describe('VmSession (the worker side, run under Node)', () => {
  it('boots the demo with a command line and halts after drawing the set as often as asked', async () => {
    const s = collect();
    expect(await s.session.boot(bytesOf(DEMO), 'demo.bin', { cmdline: 'mandelbrot=2' })).toBe(true);
    await s.until(() => s.session.status().state === 'halted', 'the halt');
    expect(s.serial()).toContain("command line: 'mandelbrot=2'");
    expect(s.serial().split('#%####').length - 1).toBe(2 * 2); // two rows of it per set, two sets
    const status = s.session.status();
    expect(status.detail).toBe('vCPU halted with interrupts disabled and nothing pending');
    expect(status.instructions).toBeGreaterThan(100_000);
    expect(status.virtualNs).toBeGreaterThan(1e9); // the PIT phase alone waits one virtual second
    expect(s.notes).toEqual(['info: booted demo.bin (Multiboot kernel, 128 MiB RAM)']);
    await s.session.close();
  });

  it('keyboard input reaches COM1; a snapshot taken mid-line continues in another session', async () => {
    const a = collect();
    await a.session.boot(bytesOf(IRQGUEST), 'irqguest.bin');
    await a.waitFor('type text and a dot');
    a.session.input(new TextEncoder().encode('hello'));
    await a.waitFor('HELLO');
    a.session.stop();
    const saved = await a.session.save();
    expect(saved?.name).toMatch(/^irqguest-\d{8}T\d{6}\.snap$/);
    await a.session.close();

    const b = collect();
    await b.session.boot(bytesOf(DEMO), 'demo.bin');
    expect(await b.session.load(saved!.bytes, saved!.name)).toBe(true);
    b.session.input(new TextEncoder().encode(' world.'));
    await b.until(() => b.session.status().state === 'exited', 'the exit');
    expect(b.serial()).toContain(' WORLD\nirqguest: done\n');
    // 'hello' was counted before the snapshot: 11 bytes echoed in all, status (11 << 1) | 1.
    expect(b.session.status().detail).toBe('debug-exit status 23');
    expect(b.notes.at(-1)).toBe(`info: snapshot loaded: ${saved!.name}`);
    await b.session.close();
  });

  it('refuses a bad image or snapshot with the reason and keeps the running machine', async () => {
    const s = collect();
    await s.session.boot(bytesOf(IRQGUEST), 'irqguest.bin');
    await s.waitFor('type text and a dot');
    expect(await s.session.boot(new Uint8Array(0), 'empty.bin')).toBe(false);
    expect(s.booted).toEqual(['irqguest.bin']); // the page keeps the running guest's screen
    expect(s.notes.at(-1)).toBe(
      "error: cannot boot 'empty.bin': flat binary: image is empty (at offset 0x0)",
    );
    expect(await s.session.load(new TextEncoder().encode('not a snapshot'), 'x.snap')).toBe(false);
    expect(s.notes.at(-1)).toBe(
      "error: cannot load 'x.snap': snapshot is foreign: not a tsvm snapshot (bad magic bytes)",
    );

    const small = collect();
    await small.session.boot(bytesOf(IRQGUEST), 'irqguest.bin', { ramBytes: 32 * 1024 * 1024 });
    const saved = await small.session.save();
    await small.session.close();
    expect(await s.session.load(saved!.bytes, saved!.name)).toBe(false);
    // (Which region index 'ram-high' has depends on the board's memory map.)
    expect(s.notes.at(-1)).toMatch(
      /^error: cannot load 'irqguest-\d{8}T\d{6}\.snap': snapshot is mismatch: RAM region \d+ is 'ram-high' at 0x100000 size 0x1f00000; machine has 'ram-high' at 0x100000 size 0x7f00000 \(this page's machine has 128 MiB RAM: pick the size the snapshot was saved with, as with the CLI's -m\)$/,
    );
    // Still the same guest, still listening.
    s.session.input(new TextEncoder().encode('ok.'));
    await s.until(() => s.session.status().state === 'exited', 'the exit');
    expect(s.serial()).toContain('OK\nirqguest: done');
    await s.session.close();
  });

  it('stop pauses the guest and its clock; start continues; reset boots the image again', async () => {
    const s = collect();
    await s.session.boot(bytesOf(IRQGUEST), 'irqguest.bin');
    await s.waitFor('type text and a dot');
    s.session.stop();
    await s.until(() => s.session.status().state === 'paused', 'the pause');
    const t = s.session.status().virtualNs;
    await new Promise((r) => setTimeout(r, 100));
    expect(s.session.status().virtualNs).toBe(t);
    s.session.start();
    s.session.input(new TextEncoder().encode('a'));
    await s.waitFor('A');
    s.session.reset();
    await s.until(() => s.serial().split('type text and a dot').length === 3, 'the second banner');
    await s.session.close();
  });
});
