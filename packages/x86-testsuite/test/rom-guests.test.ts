import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createGuestMachine,
  describeTranscriptDivergence,
  firstTranscriptDivergence,
  locateInListing,
  RomGuestDirectory,
  romGuestMismatch,
  runRomGuest,
} from '../src/index.js';
import { replayAccelerator } from './helpers/replay-accelerator.js';

/**
 * Transcript guests kept by an accelerator package (accel-tcg's guests/): the directory, the
 * line-for-line comparison with its listing lookup, the memory layouts, and the endings.
 */
const dir = mkdtempSync(join(tmpdir(), 'tsvm-romguests-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
for (const d of ['src', 'bin', 'expected']) mkdirSync(join(dir, d));
const rom = new Uint8Array(0x10000);
rom.set([0xea, 0x5b, 0xe0, 0x00, 0xf0], 0xfff0); // the reset vector's far jump, for the mirror check
writeFileSync(join(dir, 'bin', 'one.bin'), rom);
writeFileSync(join(dir, 'src', 'one.asm'), '; BOARD: pc\nnop\n');
writeFileSync(join(dir, 'expected', 'one.txt'), 'ffff0010: 1 2\nffff0020: 3 4\n');
writeFileSync(join(dir, 'expected', 'one.status'), '1\n');
writeFileSync(join(dir, 'bin', 'two.bin'), rom);
writeFileSync(join(dir, 'src', 'two.asm'), '; REFERENCE: sdm\n');
// nasm -l: line number, offset, bytes, source; macro lines carry <n>.
writeFileSync(
  join(dir, 'bin', 'one.lst'),
  [
    '     1                                  ; BOARD: pc',
    '     7 00000000 B801000000              mov eax, 1',
    '     8 00000005 01C0                    add eax, eax',
    '     9                                  DUMP',
    '     9 00000007 E8(00000000)        <1>  call dump',
  ].join('\n'),
);

describe('RomGuestDirectory', () => {
  const guests = new RomGuestDirectory(dir);

  it('lists guests and reads their fixture, board and reference kind', () => {
    expect(guests.names()).toEqual(['one', 'two']);
    const g = guests.load('one');
    expect(g).toMatchObject({ name: 'one', status: 1, pcBoard: true, sdmReference: false });
    expect(g.expected).toBe('ffff0010: 1 2\nffff0020: 3 4\n');
  });

  it('a guest without a fixture is named, with how to make one; an SDM guest is never regenerated', () => {
    expect(() => guests.load('two')).toThrow(
      "guest 'two' has no QEMU fixture: regenerate it (TSVM_QEMU_FIXTURES=1, see the README)",
    );
    expect(guests.regenerate('two')).toBeUndefined();
  });
});

describe('transcript comparison', () => {
  it('finds the first differing line, its tag, and the source line through the listing', () => {
    const d = firstTranscriptDivergence('ffff0007: a\nffff0010: b\n', 'ffff0007: a\nffff0010: c\n');
    expect(d).toEqual({ line: 2, expected: 'ffff0010: b', actual: 'ffff0010: c', tag: 0xffff0010 });
    expect(firstTranscriptDivergence('x\n', 'x\n')).toBeUndefined();
    const at = locateInListing(join(dir, 'bin', 'one.lst'), 0x10000, 0xffff0007);
    expect(at).toBe('one.asm:9, after:\n    mov eax, 1\n    add eax, eax');
    expect(locateInListing(join(dir, 'bin', 'absent.lst'), 0x10000, 0xffff0007)).toBeUndefined();
    const report = describeTranscriptDivergence(
      { line: 3, expected: 'ffff0007: 1', actual: undefined, tag: 0xffff0007 },
      { romSize: 0x10000, listingPath: join(dir, 'bin', 'one.lst'), accelerator: 'tcg' },
    );
    expect(report.split('\n')).toEqual([
      'first divergence at transcript line 3 — one.asm:9, after:',
      '    mov eax, 1',
      '    add eax, eax',
      '  columns:   tag: eax ecx edx ebx esp ebp esi edi eflags',
      '  reference: ffff0007: 1',
      '  tcg:       <end of output>',
    ]);
  });

  it('checks the ending: exit status, or a shutdown where QEMU reported status 0', async () => {
    const g = { ...new RomGuestDirectory(dir).load('one'), pcBoard: false };
    const text = g.expected;
    const ok = await runRomGuest(replayAccelerator(new TextEncoder().encode(text)), g);
    expect(romGuestMismatch(g, ok)).toBeUndefined();
    const halted = await runRomGuest(replayAccelerator(new TextEncoder().encode(text), -1), g, {
      timeoutMs: 50,
    });
    expect(romGuestMismatch(g, halted)).toMatch(/^one: expected exit status 1, got /);
    const down = await runRomGuest(replayAccelerator(new TextEncoder().encode(text), 'shutdown'), g);
    expect(romGuestMismatch({ ...g, status: 0 }, down)).toBeUndefined();
    expect(romGuestMismatch({ ...g, status: 0 }, ok)).toBe(
      'one: expected a CPU shutdown (triple fault), got exit status 1',
    );
    expect(romGuestMismatch(g, { text: 'ffff0010: 1 2\n', stop: ok.stop })).toMatch(
      /^first divergence at transcript line 2\n/,
    );
  });
});

describe('guest machine layouts', () => {
  const idle = replayAccelerator(new Uint8Array(), -1);

  it('qemu-pc mirrors the ROM top below 1 MiB and leaves 640 KiB-1 MiB to it alone', async () => {
    const { machine } = await createGuestMachine(idle, rom, { layout: 'qemu-pc' });
    expect(machine.memory.read(0xffff0, 1)).toBe(0xea);
    expect(machine.memory.read(0xfffffff0, 1)).toBe(0xea);
    expect(machine.memory.read(0x1000000, 1)).toBe(0); // RAM up to 32 MiB
    machine.close();
  });

  it('flat has RAM at 0 and no mirror; pc-board maps the ROM on the whole board', async () => {
    const flat = await createGuestMachine(idle, rom);
    expect(flat.machine.memory.read(0xffff0, 1)).toBe(0);
    flat.machine.close();
    const pc = await createGuestMachine(idle, rom, { layout: 'pc-board' });
    expect(pc.machine.memory.read(0xfffffff0, 1)).toBe(0xea);
    pc.machine.close();
  });

  it('a ROM that is not whole 4 KiB pages is refused with its size', async () => {
    await expect(createGuestMachine(idle, new Uint8Array(100))).rejects.toThrow(
      'a test ROM must be a non-empty multiple of 4 KiB, got 100 bytes',
    );
  });
});
