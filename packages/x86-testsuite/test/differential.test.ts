import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { runDifferential } from '../src/differential/run-differential.js';
import { cpuTestGuest } from '../src/guests/catalog.js';
import { readPackageFile } from '../src/package-files.js';
import { runRandomDifferential } from '../src/random/run-random.js';
import { RECORD_BYTES } from '../src/random/trace-records.js';
import { qemuAvailability } from '../src/reference/qemu.js';
import { replayAccelerator } from './helpers/replay-accelerator.js';
import { SAMPLE_COUNT, SAMPLE_SEED, sampleOutputFile } from './helpers/sample.js';

/**
 * The harness itself, against a stand-in accelerator that replays a recorded output: a faithful
 * replay must match, and a deliberately perturbed one must be reported at the exact case.
 */
const encode = (s: string) => new TextEncoder().encode(s);

describe('group-guest differential harness', () => {
  const guest = cpuTestGuest('alu');
  const reference = guest.reference();
  const lines = reference.split('\n');

  it('accepts an accelerator that produces the reference output', async () => {
    const r = await runDifferential({ accelerator: replayAccelerator(encode(reference)), guest });
    expect(r.report).toMatch(/^alu: \d+ cases match the reference$/);
    expect(r.ok).toBe(true);
    expect(r.matchedLines).toBe(lines.length - 1);
  });

  it('reports the first case whose defined flags differ, with the case, both values and the reason', async () => {
    const at = lines.findIndex((l) => l.startsWith('adc16 0000ffff 00000001 002 : '));
    const perturbed = [...lines];
    const flags = Number.parseInt(perturbed[at].slice(-3), 16) ^ 0x001; // flip CF
    perturbed[at] = perturbed[at].slice(0, -3) + flags.toString(16).padStart(3, '0');
    const r = await runDifferential({
      accelerator: replayAccelerator(encode(perturbed.join('\n'))),
      guest: 'alu',
    });
    expect(r.ok).toBe(false);
    expect(r.divergence?.line).toBe(at + 1);
    expect(r.report).toContain(`first diverging case, line ${at + 1}:`);
    expect(r.report).toContain(`expected: ${lines[at]}`);
    expect(r.report).toMatch(
      /- eflags: expected [0-9a-f]{3}, got [0-9a-f]{3} \(compared bits fff; all flags defined\)/,
    );
  });

  it('ignores a difference in a flag the SDM leaves undefined (AF after AND)', async () => {
    const perturbed = lines.map((l) => {
      if (!l.startsWith('and32 ')) return l;
      const f = Number.parseInt(l.slice(-3), 16) ^ 0x010;
      return l.slice(0, -3) + f.toString(16).padStart(3, '0');
    });
    const r = await runDifferential({ accelerator: replayAccelerator(encode(perturbed.join('\n'))), guest });
    expect(r.report).toMatch(/cases match/);
    // ...unless asked to match QEMU on undefined flags as well.
    const strict = await runDifferential({
      accelerator: replayAccelerator(encode(perturbed.join('\n'))),
      guest,
      undefinedFlags: 'match-qemu',
    });
    expect(strict.divergence?.expected).toMatch(/^and32 /);
    expect(strict.report).toMatch(/compared bits fff; strict mode/);
  });

  it('reports a register difference', async () => {
    const at = lines.findIndex((l) => l.startsWith('sbb8 '));
    const perturbed = [...lines];
    perturbed[at] = perturbed[at].replace(' : 0', ' : 1');
    const r = await runDifferential({ accelerator: replayAccelerator(encode(perturbed.join('\n'))), guest });
    expect(r.divergence?.line).toBe(at + 1);
    expect(r.divergence?.differences[0]).toMatch(/^eax: expected 0[0-9a-f]{7}, got 1[0-9a-f]{7}$/);
  });

  it('reports output that stops early and a run that does not exit', async () => {
    const short = await runDifferential({
      accelerator: replayAccelerator(encode(lines.slice(0, 10).join('\n'))),
      guest,
    });
    expect(short.divergence).toMatchObject({
      line: 11,
      actual: undefined,
      differences: ['the accelerator output ends here'],
    });
    const noExit = await runDifferential({
      accelerator: replayAccelerator(encode(reference), -1),
      guest,
      timeoutMs: 50,
    });
    expect(noExit.ok).toBe(false);
    expect(noExit.report).toMatch(/all \d+ lines match, but the run did not finish normally/);
    expect(noExit.report).toMatch(/run ended with halted/);
    const status = await runDifferential({ accelerator: replayAccelerator(encode(reference), 0x7f), guest });
    expect(status.report).toMatch(/run ended with exit status 255/);
  });

  it('expects the system guest to end in a shutdown, not an exit', async () => {
    const text = cpuTestGuest('system').reference();
    const ok = await runDifferential({
      accelerator: replayAccelerator(encode(text), 'shutdown'),
      guest: 'system',
    });
    expect(ok.report).toMatch(/^system: 31 cases match the reference$/);
    const exited = await runDifferential({
      accelerator: replayAccelerator(encode(text), 0),
      guest: 'system',
    });
    expect(exited.report).toMatch(
      /run ended with exit status 1 \(this guest ends in a CPU shutdown \(triple fault\)\)/,
    );
  });

  it('compares against a reference text given directly', async () => {
    const r = await runDifferential({
      accelerator: replayAccelerator(encode('a\n')),
      guest,
      reference: { text: 'b\n' },
    });
    expect(r.divergence).toMatchObject({ line: 1, expected: 'b', actual: 'a' });
  });
});

describe('random-sequence differential harness', () => {
  // A Uint8Array copy: Buffer#slice would return views, and the tests perturb their copies.
  const sample = new Uint8Array(gunzipSync(readPackageFile(sampleOutputFile(0))));
  const run = (output: Uint8Array) =>
    runRandomDifferential({
      accelerator: replayAccelerator(output),
      seed: SAMPLE_SEED,
      count: SAMPLE_COUNT,
      reference: 'fixture',
    });

  it('accepts the recorded QEMU trace of the sample run', async () => {
    const r = await run(sample);
    expect(r.report).toMatch(
      /seed 0x5eed0001, 60 sequences \(32-bit code\), \d+ records in 1 images match the fixture reference/,
    );
    expect(r.ok).toBe(true);
  });

  it('reports a perturbed step with the seed, the sequence, the step and the listing', async () => {
    const record = 100;
    const perturbed = sample.slice();
    perturbed[record * RECORD_BYTES + 36] ^= 0x01; // CF in the eflags word
    const r = await run(perturbed);
    expect(r.ok).toBe(false);
    const seq = new DataView(sample.buffer, sample.byteOffset + record * RECORD_BYTES + 4, 4).getUint32(
      0,
      true,
    );
    const step = (sample[record * RECORD_BYTES + 1] | (sample[record * RECORD_BYTES + 2] << 8)) & 0xffff;
    expect(r.divergence).toMatchObject({ seed: SAMPLE_SEED, image: 0, record, sequence: seq });
    expect(r.report).toContain(
      'DIVERGENCE for seed 0x5eed0001 (count 60, 32-bit code, reference fixture), image 0, record 100',
    );
    expect(r.report).toContain(`sequence ${seq} of seed 0x5eed0001:`);
    expect(r.report).toContain(
      'reproduce: runRandomDifferential({ accelerator, seed: 0x5eed0001, count: 60 })',
    );
    if ((sample[record * RECORD_BYTES] & 0xff) === 1) {
      expect(r.divergence?.step).toBe(step);
      expect(r.report.split('\n').some((l) => l.startsWith(`>> ${String(step).padStart(3)}:`))).toBe(true);
    }
  });

  it('ignores the raw (undefined-inclusive) flags of a step unless asked to match QEMU', async () => {
    const perturbed = sample.slice();
    let step = 0;
    while (perturbed[step * RECORD_BYTES] !== 1) step++;
    perturbed[step * RECORD_BYTES + 40] ^= 0x10; // AF in the raw-flags word
    expect((await run(perturbed)).ok).toBe(true);
    await expect(
      runRandomDifferential({
        accelerator: replayAccelerator(perturbed),
        seed: SAMPLE_SEED,
        count: SAMPLE_COUNT,
        reference: 'fixture',
        undefinedFlags: 'match-qemu',
      }),
    ).rejects.toThrow(/'match-qemu' needs a live QEMU reference/);
  });

  it.runIf(qemuAvailability().available)(
    'with QEMU: compares raw flags in strict mode and shows expected values',
    async () => {
      const perturbed = sample.slice();
      let step = 0;
      while (perturbed[step * RECORD_BYTES] !== 1) step++;
      perturbed[step * RECORD_BYTES + 40] ^= 0x10;
      const strict = await runRandomDifferential({
        accelerator: replayAccelerator(perturbed),
        seed: SAMPLE_SEED,
        count: SAMPLE_COUNT,
        undefinedFlags: 'match-qemu',
      });
      expect(strict.divergence?.record).toBe(step);
      expect(strict.report).toMatch(/error\/raw-eflags: expected 0x[0-9a-f]{8}, got 0x[0-9a-f]{8}/);
      // A fixture-mode divergence reruns the image under QEMU to print the expected record.
      const eflags = sample.slice();
      eflags[100 * RECORD_BYTES + 36] ^= 0x01;
      const r = await run(eflags);
      expect(r.report).toMatch(/eflags: expected 0x[0-9a-f]{8}, got 0x[0-9a-f]{8}/);
      expect(r.report).toMatch(/\n {2}expected (after step|exception)/);
    },
  );

  it('reports a missing record and a truncated trace', async () => {
    const missing = new Uint8Array([
      ...sample.subarray(0, 5 * RECORD_BYTES),
      ...sample.subarray(6 * RECORD_BYTES),
    ]);
    const r = await run(missing);
    expect(r.divergence?.record).toBe(5);
    const truncated = await run(sample.subarray(0, 3 * RECORD_BYTES + 10));
    expect(truncated.divergence?.record).toBe(3);
    expect(truncated.report).toMatch(/the accelerator wrote only 3 records/);
  });

  it('needs a reference: refuses a seed without fixture when asked for fixtures only', async () => {
    await expect(
      runRandomDifferential({
        accelerator: replayAccelerator(sample),
        seed: 1,
        count: 2,
        reference: 'fixture',
      }),
    ).rejects.toThrow(/no committed fixture for seed 0x00000001 and count 2/);
  });
});
