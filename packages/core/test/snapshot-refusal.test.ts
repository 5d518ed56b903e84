import { describe, expect, it } from 'vitest';
import { Machine } from '../src/machine/machine.js';
import { crc32 } from '../src/snapshot/crc32.js';
import {
  decodeSnapshot,
  encodeSnapshot,
  SNAPSHOT_FORMAT_VERSION,
} from '../src/snapshot/snapshot-container.js';
import { SnapshotError } from '../src/snapshot/snapshot-error.js';
import { recordSection } from '../src/snapshot/snapshot-section.js';
import { RecordingAccelerator, type ToyState, toyArch } from './toy-arch.js';

async function machineWithState() {
  const machine = await Machine.create<ToyState>({ arch: toyArch, accelerator: new RecordingAccelerator() });
  const ram = machine.memory.addRam('ram', 0, 64 * 1024);
  let deviceRegister = 5;
  machine.registerSection(
    recordSection({
      name: 'device',
      version: 2,
      minVersion: 1,
      save: () => ({ register: deviceRegister }),
      load: (f) => {
        const v = f.uint('register', 8);
        return () => {
          deviceRegister = v;
        };
      },
    }),
  );
  machine.start();
  ram.bytes![10] = 0xaa;
  machine.vcpus[0].synchronizeState(); // edits from outside the vCPU loop start with a sync
  machine.vcpus[0].state.acc = 3;
  const good = machine.save();
  // Move everything on, so a wrongly applied load would be visible.
  ram.bytes![10] = 0xbb;
  machine.vcpus[0].state.acc = 4;
  deviceRegister = 6;
  const fingerprint = () => ({
    ram: crc32(ram.bytes!),
    cpu: { ...machine.vcpus[0].state },
    device: deviceRegister,
    writes: (machine.accelerator as RecordingAccelerator).calls.length,
  });
  return { machine, good, fingerprint };
}

/** Rewrite the header JSON of a snapshot and fix up the checksums so only the header content is "wrong". */
function withHeader(bytes: Uint8Array, edit: (h: Record<string, unknown>) => void): Uint8Array {
  const decoded = decodeSnapshot(bytes);
  const sections = decoded.sections.map((s) => ({ ...s }));
  const meta = { arch: decoded.arch, savedBy: decoded.savedBy, createdAt: decoded.createdAt };
  const h = { ...meta, sections };
  edit(h);
  return encodeSnapshot(h as typeof meta, h.sections as typeof sections);
}

const cases: { name: string; kind: string; text: RegExp; mutate: (good: Uint8Array) => Uint8Array }[] = [
  { name: 'empty file', kind: 'truncated', text: /file has 0 bytes/, mutate: () => new Uint8Array() },
  {
    name: 'cut in the preamble',
    kind: 'truncated',
    text: /less than the 16-byte preamble/,
    mutate: (g) => g.slice(0, 12),
  },
  { name: 'cut in the header', kind: 'truncated', text: /header needs/, mutate: (g) => g.slice(0, 40) },
  {
    name: 'cut in the data',
    kind: 'truncated',
    text: /header declares \d+/,
    mutate: (g) => g.slice(0, g.length - 100),
  },
  {
    name: 'flipped byte in a section',
    kind: 'corrupt',
    text: /file checksum mismatch/,
    mutate: (g) => {
      const b = g.slice();
      b[b.length - 30] ^= 1;
      return b;
    },
  },
  {
    name: 'flipped byte in a section, file checksum recomputed',
    kind: 'corrupt',
    text: /section 'ram' checksum mismatch/,
    mutate: (g) => {
      const b = g.slice();
      const dataStart = 16 + new DataView(b.buffer).getUint32(12, true) + 4;
      b[dataStart + 20] ^= 1; // inside the first section ('ram')
      new DataView(b.buffer).setUint32(b.length - 4, crc32(b, 0, b.length - 4), true);
      return b;
    },
  },
  {
    name: 'flipped byte in the header',
    kind: 'corrupt',
    text: /header checksum mismatch/,
    mutate: (g) => {
      const b = g.slice();
      b[20] ^= 1;
      return b;
    },
  },
  {
    name: 'trailing garbage',
    kind: 'corrupt',
    text: /4 unexpected bytes after the end/,
    mutate: (g) => new Uint8Array([...g, 1, 2, 3, 4]),
  },
  {
    name: 'absurd header length',
    kind: 'corrupt',
    text: /header length 4294967295 exceeds/,
    mutate: (g) => {
      const b = g.slice();
      new DataView(b.buffer).setUint32(12, 0xffffffff, true);
      return b;
    },
  },
  {
    name: 'not a snapshot at all',
    kind: 'foreign',
    text: /not a tsvm snapshot \(bad magic bytes\)/,
    mutate: () => new TextEncoder().encode('\x7fELF this is some other file entirely'),
  },
  {
    name: 'snapshot of another architecture',
    kind: 'foreign',
    text: /architecture 'arm', this machine is 'toy'/,
    mutate: (g) => withHeader(g, (h) => Object.assign(h, { arch: 'arm' })),
  },
  {
    name: 'newer container format',
    kind: 'newer-version',
    text: new RegExp(
      `container format ${SNAPSHOT_FORMAT_VERSION + 1}; this tsvm reads up to ${SNAPSHOT_FORMAT_VERSION}`,
    ),
    mutate: (g) => {
      const b = g.slice();
      new DataView(b.buffer).setUint32(8, SNAPSHOT_FORMAT_VERSION + 1, true);
      return b;
    },
  },
  {
    name: 'newer section version',
    kind: 'newer-version',
    text: /section 'device' has version 3; this tsvm reads up to 2/,
    mutate: (g) =>
      withHeader(g, (h) => {
        for (const s of h.sections as { name: string; version: number }[])
          if (s.name === 'device') s.version = 3;
      }),
  },
  {
    name: 'missing section',
    kind: 'mismatch',
    text: /section 'device' is missing/,
    mutate: (g) =>
      withHeader(g, (h) => {
        h.sections = (h.sections as { name: string }[]).filter((s) => s.name !== 'device');
      }),
  },
  {
    name: 'unknown section',
    kind: 'mismatch',
    text: /section 'gpu' matches no part of this machine/,
    mutate: (g) =>
      withHeader(g, (h) => {
        (h.sections as unknown[]).push({ name: 'gpu', version: 1, data: new Uint8Array() });
      }),
  },
  {
    name: 'valid container, malformed section content',
    kind: 'corrupt',
    text: /section 'device': field 'register' = 300 is not a 8-bit unsigned integer/,
    mutate: (g) =>
      withHeader(g, (h) => {
        const s = (h.sections as { name: string; data: Uint8Array }[]).find((x) => x.name === 'device')!;
        // Re-encode the section with an out-of-range value (the container checksums are then valid).
        const enc = new Uint8Array(s.data);
        new DataView(enc.buffer).setFloat64(enc.length - 8, 300, true);
        s.data = enc;
      }),
  },
];

describe('refused snapshots leave the machine untouched', () => {
  for (const c of cases) {
    it(`${c.name} → ${c.kind}`, async () => {
      const { machine, good, fingerprint } = await machineWithState();
      const before = fingerprint();
      let error: unknown;
      try {
        machine.load(c.mutate(good));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(SnapshotError);
      expect((error as SnapshotError).kind).toBe(c.kind);
      expect((error as Error).message).toMatch(c.text);
      expect(fingerprint()).toEqual(before);
      // …and the good snapshot still loads afterwards.
      machine.load(good);
      expect(machine.vcpus[0].state.acc).toBe(3);
      expect(machine.memory.read(10, 1)).toBe(0xaa);
    });
  }

  it('error messages say which kind of problem it is', () => {
    expect(new SnapshotError('truncated', 'x').message).toBe('snapshot is truncated: x');
    expect(new SnapshotError('newer-version', 'y').message).toBe('snapshot is from a newer version: y');
  });

  it('an older section version below minVersion is refused as a mismatch', async () => {
    const { machine, good } = await machineWithState();
    const old = withHeader(good, (h) => {
      for (const s of h.sections as { name: string; version: number }[])
        if (s.name === 'device') s.version = 0;
    });
    expect(() => machine.load(old)).toThrow(/section 'device' has version 0; this tsvm reads 1 to 2/);
  });

  it('a snapshot of a machine with different RAM is a mismatch', async () => {
    const { good } = await machineWithState();
    const other = await Machine.create<ToyState>({ arch: toyArch, accelerator: new RecordingAccelerator() });
    other.memory.addRam('ram', 0, 128 * 1024);
    other.registerSection(
      recordSection({ name: 'device', version: 2, save: () => ({}), load: () => () => {} }),
    );
    expect(() => other.load(good)).toThrow(
      /RAM region 0 is 'ram' at 0x0 size 0x10000; machine has 'ram' at 0x0 size 0x20000/,
    );
  });
});
