import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  buildDumpRom,
  describeTableSequence,
  fnv1a,
  formatDumpFixture,
  generateX87Program,
  groupDumps,
  Mulberry32,
  type OpcodeTableEntry,
  opcodeChoices,
  opcodeTableProgram,
  parseDumpFixture,
  runDumpRandom,
} from '../src/index.js';
import { replayAccelerator } from './helpers/replay-accelerator.js';

/**
 * The dump-line random harness (accel-tcg's random and x87 random runs go through it): the
 * generators, the hashed fixture, and the comparison driven by a stand-in accelerator that
 * replays a transcript — faithful (must match) and perturbed (must name the instruction).
 */
const op = (name: string, o: Partial<OpcodeTableEntry> = {}): OpcodeTableEntry => ({
  name,
  modrm: false,
  imm: 'none',
  byteOp: false,
  ...o,
});
const ONE: OpcodeTableEntry[] = [];
ONE[0x01] = op('add', { modrm: true, lockable: true });
ONE[0x05] = op('add', { imm: 'z' });
for (let r = 0; r < 8; r++) ONE[0x40 + r] = op('inc');
ONE[0x80] = op('grp1', {
  modrm: true,
  imm: 'b',
  byteOp: true,
  group: ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'].map((n) => op(n)),
});
ONE[0x82] = ONE[0x80];
ONE[0x9a] = op('callf', { imm: 'p' });
ONE[0xe8] = op('call', { imm: 'z' });
const TWO: OpcodeTableEntry[] = [];
TWO[0x1f] = op('nop', { modrm: true });
TWO[0xaf] = op('imul', { modrm: true });
for (let r = 0; r < 8; r++) TWO[0xc8 + r] = op('bswap');

describe('opcode choices from an executor table', () => {
  const choices = opcodeChoices(ONE, TWO);
  const listed = choices.map((c) => `${c.bytes.map((b) => b.toString(16)).join(' ')}:${c.spec.name}`);

  it('expands groups, keeps table order, and leaves out EBX/ESP forms, aliases, hint NOPs and unknown names', () => {
    expect(listed).toEqual([
      '1:add',
      '5:add',
      ...[0, 1, 2, 5, 6].map((r) => `${(0x40 + r).toString(16)}:inc`),
      ...['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'].map((n) => `80:${n}`),
      'f af:imul',
      ...[0, 1, 2, 5, 6, 7].map((r) => `f ${(0xc8 + r).toString(16)}:bswap`),
    ]);
    const grp = choices.find((c) => c.spec.name === 'or')!;
    expect(grp.groupReg).toBe(1);
    expect(grp.spec).toMatchObject({ modrm: true, imm: 'b', byteOp: true });
  });

  it('a table that yields nothing is refused', () => {
    expect(() => opcodeTableProgram([], 1, 1)).toThrow(
      'the opcode table gave no instruction the generator can use',
    );
  });

  it('programs are a function of the seed (the committed fixtures hash the ROM)', () => {
    const a = opcodeTableProgram(choices, 9, 40);
    expect(opcodeTableProgram(choices, 9, 40).code).toEqual(a.code);
    expect(opcodeTableProgram(choices, 10, 40).code).not.toEqual(a.code);
    expect(a.sequences).toHaveLength(40);
    expect(describeTableSequence(a.sequences[0])).toMatch(
      /^ {2}eax=[0-9a-f]{8} .* ebx=00020000 eflags=[0-9a-f]{8}\n {2}#0: /,
    );
    // 16-bit sequences share one 64 KiB code segment.
    expect(() => opcodeTableProgram(choices, 9, 5000, true)).toThrow(
      '5000 sequences do not fit in a 64 KiB code segment',
    );
  });

  it('mulberry32 keeps its stream (changing it invalidates every dump fixture)', () => {
    const r = new Mulberry32(1);
    expect([r.u32(), r.u32(), r.u32()]).toEqual([0xa087eaf3, 0x00b349c9, 0x8706c4eb]);
    expect(fnv1a(generateX87Program(7, 20).code)).toBe(0xa5711f5c);
  });

  it('x87 sequences never use a register not loaded nor push past eight', () => {
    for (const seq of generateX87Program(3, 200).sequences) {
      expect(seq.loads.length).toBeGreaterThanOrEqual(1);
      expect(seq.insns.length).toBeLessThanOrEqual(8);
    }
  });
});

describe('dump fixture format', () => {
  it('groups dump lines by tag and attaches an exception line to the dump that follows it', () => {
    const g = groupDumps('noise\n00000100: a\nEXC 00 here\n00000101: b\n00000000: c\n');
    expect(g.get(1)).toEqual(['00000100: a', 'EXC 00 here | 00000101: b']);
    expect(g.get(0)).toEqual(['00000000: c']);
  });

  it('round-trips and refuses a malformed header with the file named', () => {
    const rom = new Uint8Array(16);
    const fx = parseDumpFixture(formatDumpFixture(4, 2, rom, '00000000: x\n00000100: y\n00000101: z\n'), 'f');
    expect(fx).toEqual({
      seed: 4,
      count: 2,
      romHash: fnv1a(rom),
      hashes: [[fnv1a('00000000: x')], [fnv1a('00000100: y'), fnv1a('00000101: z')]],
    });
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(() => parseDumpFixture('# nothing here\n', 'some/file.txt')).toThrow(
      "some/file.txt: malformed header '# nothing here'",
    );
  });

  it('buildDumpRom refuses code that does not fit beside the runner', () => {
    expect(() => buildDumpRom(new Uint8Array(0xf0001), new Uint8Array(0x10000))).toThrow(
      'the generated code (983041 bytes) does not fit in the ROM beside its runner',
    );
  });
});

describe('runDumpRandom against a replayed transcript', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsvm-dump-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const runner = new Uint8Array(0x10000);
  const program = opcodeTableProgram(opcodeChoices(ONE, TWO), 5, 6);
  const hex = (v: number) => v.toString(16).padStart(8, '0');
  const lines = program.sequences.flatMap((s, k) => s.insns.map((_, j) => `${hex((k << 8) | j)}: ${k} ${j}`));
  const transcript = `${lines.join('\n')}\n`;
  const fixturePath = join(dir, 'expected-5.txt');
  writeFileSync(fixturePath, formatDumpFixture(5, 6, buildDumpRom(program.code, runner), transcript));
  const run = (text: string, exit: number | 'shutdown' = 0, o: { seed?: number; runner?: Uint8Array } = {}) =>
    runDumpRandom({
      accelerator: replayAccelerator(new TextEncoder().encode(text), exit),
      program,
      seed: o.seed ?? 5,
      runner: o.runner ?? runner,
      fixturePath,
      title: 'divergence: seed 5',
      columns: '  columns: test',
      describe: describeTableSequence,
      qemuForReport: false,
    });

  it('a faithful transcript matches', async () => {
    const r = await run(transcript);
    expect(r.report).toBeUndefined();
    expect(r.ok).toBe(true);
  });

  it('a changed dump line is reported at its sequence and instruction, with both lines', async () => {
    const k = 3;
    const bad = lines.map((l) => (l.startsWith(`${hex(k << 8)}:`) ? `${l} wrong` : l));
    const r = await run(`${bad.join('\n')}\n`);
    expect(r.ok).toBe(false);
    const name = program.sequences[k].insns[0].name;
    expect(r.report!.split('\n')[0]).toBe(`divergence: seed 5, sequence 3, instruction #0 (${name})`);
    expect(r.report).toContain(`  tsvm:      ${hex(k << 8)}: 3 0 wrong`);
    expect(r.report).toContain('  reference: (only its hash is committed; QEMU would show the line)');
  });

  it('a missing line and a wrong ending are reported', async () => {
    expect((await run(lines.slice(0, -1).join('\n'))).report).toMatch(/ {2}tsvm: {6}<missing>$/);
    expect((await run(transcript, 'shutdown')).report).toBe(
      'divergence: seed 5: the run ended with shutdown: triple fault, not exit status 1',
    );
  });

  it('a fixture of another seed or another ROM is refused', async () => {
    await expect(run(transcript, 0, { seed: 6 })).rejects.toThrow(
      `${fixturePath} holds seed 5 count 6, not seed 6 count 6`,
    );
    const other = new Uint8Array(0x10000).fill(1);
    await expect(run(transcript, 0, { runner: other })).rejects.toThrow(
      `the generated ROM differs from the one ${fixturePath} was made from: the generator or runner changed; regenerate the fixture`,
    );
    await expect(
      runDumpRandom({
        accelerator: replayAccelerator(new Uint8Array()),
        program,
        seed: 5,
        runner,
        fixturePath: join(dir, 'absent.txt'),
        title: 't',
        columns: '',
        describe: () => '',
      }),
    ).rejects.toThrow(
      `no fixture ${join(dir, 'absent.txt')}: regenerate it with QEMU (TSVM_QEMU_FIXTURES=1)`,
    );
  });
});
