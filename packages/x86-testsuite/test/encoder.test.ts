import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { setEncodingMode } from '../src/random/encoder.js';
import { FORMS, randomInstruction } from '../src/random/instruction-table.js';
import { Prng } from '../src/random/prng.js';
import type { Step } from '../src/random/step.js';

const ndisasm = spawnSync('ndisasm', ['-h'], { encoding: 'utf8' });
const haveNdisasm = !ndisasm.error;
if (!haveNdisasm) console.info('encoder vs ndisasm: skipped, ndisasm (package nasm) is not installed');

/** Make ndisasm's and the encoder's texts comparable: no size keywords, no spaces, decimal numbers. */
function normalize(text: string): string {
  return text
    .toLowerCase()
    .replace(/\b(byte|word|dword|qword|near|short)\b/g, '')
    .replace(/\s+/g, '')
    .replace(/,\+/g, ',')
    .replace(/0x[0-9a-f]+/g, (h) => BigInt(h).toString());
}

function disassemble(bytes: number[], bits: 16 | 32 = 32): { length: number; text: string }[] {
  const dir = mkdtempSync(join(tmpdir(), 'tsvm-ndisasm-'));
  try {
    const file = join(dir, 'code.bin');
    writeFileSync(file, Uint8Array.from(bytes));
    const r = spawnSync('ndisasm', [`-b${bits}`, file], { encoding: 'utf8', maxBuffer: 64 << 20 });
    const out: { length: number; text: string }[] = [];
    for (const line of r.stdout.split('\n')) {
      // Continuation lines (long instructions) start with spaces and '-'.
      const cont = /^\s+-([0-9A-F]+)$/.exec(line);
      if (cont) {
        out[out.length - 1].length += cont[1].length / 2;
        continue;
      }
      const m = /^[0-9A-F]{8}\s+([0-9A-F]+)\s+(.*)$/.exec(line);
      if (m) out.push({ length: m[1].length / 2, text: m[2] });
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.runIf(haveNdisasm)('the random-test encoder agrees with ndisasm', () => {
  it.each([32, 16] as const)(
    'decodes 4000 generated instructions for %i-bit code to the same lengths and operands',
    (bits) => {
      const rng = new Prng(0xc0ffee);
      const steps: Step[] = [];
      setEncodingMode(bits);
      try {
        while (steps.length < 4000) steps.push(...randomInstruction(rng).filter((s) => !s.skip));
      } finally {
        setEncodingMode(32);
      }
      const decoded = disassemble(
        steps.flatMap((s) => [...s.bytes]),
        bits,
      );
      expect(decoded.length).toBe(steps.length);
      const mismatches: string[] = [];
      steps.forEach((s, i) => {
        const d = decoded[i];
        // ndisasm prints a relative CALL's absolute target: compare the mnemonic only.
        const same =
          s.text === 'call $+5' ? d.text.startsWith('call ') : normalize(d.text) === normalize(s.text);
        if (d.length !== s.bytes.length || !same)
          mismatches.push(
            `${s.text} [${s.bytes.map((b) => b.toString(16)).join(' ')}] -> ndisasm: ${d.text} (${d.length} bytes)`,
          );
      });
      expect(mismatches.slice(0, 10)).toEqual([]);
    },
  );

  it('encodes skip-Jcc forms that ndisasm reads as conditional jumps', () => {
    const short = disassemble([0x74, 0x10]);
    const near = disassemble([0x0f, 0x8c, 0x20, 0, 0, 0]);
    expect(short[0].text).toMatch(/^jz /);
    expect(near[0]).toMatchObject({ length: 6 });
    expect(near[0].text).toMatch(/^jl near/);
  });
});

describe('instruction table', () => {
  it('draws every form in a few thousand instructions', () => {
    const rng = new Prng(1);
    const texts = new Set<string>();
    for (let i = 0; i < 5000; i++)
      for (const s of randomInstruction(rng)) for (const word of s.text.split(/[ [:]/)) texts.add(word);
    for (const m of [
      'add',
      'adc',
      'sbb',
      'shld',
      'rcr',
      'bsf',
      'cmpxchg8b',
      'xadd',
      'daa',
      'aam',
      'bound',
      'into',
      'lea',
      'bswap',
      'div',
      'idiv',
      'imul',
      'sahf',
    ])
      expect(texts, m).toContain(m);
    expect(FORMS.length).toBeGreaterThan(15);
    const all = [...texts].join(' ');
    for (const seg of ['es', 'ss', 'ds', 'fs', 'gs']) expect(texts, `${seg} override`).toContain(seg);
    expect(all).not.toMatch(/\bcs\b/);
  });

  it('never writes ESP/SP and keeps every flag mask within EFLAGS bits 0-11', () => {
    const rng = new Prng(2);
    for (let i = 0; i < 5000; i++) {
      for (const s of randomInstruction(rng)) {
        expect(s.keep & ~0xfff).toBe(0);
        expect(s.keep & 0x702).toBe(0x702); // bit 1, IF, DF, TF are always compared
        expect(s.text).not.toMatch(/^\w+ (esp|sp),/); // ESP changes only through stack instructions
      }
    }
  });
});
