import type { GuestMemory } from '../memory/guest-memory.js';
import { PAGE_SIZE } from '../memory/memory-region.js';
import { SnapshotError } from '../snapshot/snapshot-error.js';
import { recordSection, type SnapshotSection } from '../snapshot/snapshot-section.js';

/**
 * RAM and ROM contents. Pages that are entirely zero are left out: a bitmap says which pages
 * follow, so a mostly idle 256 MiB guest snapshots in a few megabytes.
 */
export function ramSection(memory: GuestMemory): SnapshotSection {
  const backed = () => memory.regions.filter((r) => r.kind === 'ram' || r.kind === 'rom');
  return recordSection({
    name: 'ram',
    version: 1,
    save: () => ({
      regions: backed().map((r) => {
        const bytes = r.bytes!;
        const pages = r.size / PAGE_SIZE;
        const present = new Uint8Array(Math.ceil(pages / 8));
        const words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 2);
        let count = 0;
        for (let p = 0; p < pages; p++) {
          const w0 = p * (PAGE_SIZE / 4);
          for (let w = w0; w < w0 + PAGE_SIZE / 4; w++) {
            if (words[w] !== 0) {
              present[p >>> 3] |= 1 << (p & 7);
              count++;
              break;
            }
          }
        }
        const data = new Uint8Array(count * PAGE_SIZE);
        let at = 0;
        for (let p = 0; p < pages; p++) {
          if (present[p >>> 3] & (1 << (p & 7))) {
            data.set(bytes.subarray(p * PAGE_SIZE, (p + 1) * PAGE_SIZE), at);
            at += PAGE_SIZE;
          }
        }
        return { name: r.name, base: r.base, size: r.size, present, data };
      }),
    }),
    load(fields) {
      const saved = fields.list('regions');
      const regions = backed();
      if (saved.length !== regions.length) {
        throw new SnapshotError(
          'mismatch',
          `snapshot has ${saved.length} RAM/ROM regions, machine has ${regions.length}`,
        );
      }
      const plan = regions.map((r, i) => {
        const s = saved[i];
        const name = s.string('name');
        const base = s.number('base');
        const size = s.number('size');
        if (name !== r.name || base !== r.base || size !== r.size) {
          throw new SnapshotError(
            'mismatch',
            `RAM region ${i} is '${name}' at 0x${base.toString(16)} size 0x${size.toString(16)}; machine has '${r.name}' at 0x${r.base.toString(16)} size 0x${r.size.toString(16)}`,
          );
        }
        const pages = size / PAGE_SIZE;
        const present = s.bytes('present', Math.ceil(pages / 8));
        let count = 0;
        for (let p = 0; p < pages; p++) if (present[p >>> 3] & (1 << (p & 7))) count++;
        const data = s.bytes('data', count * PAGE_SIZE);
        return { region: r, present, data, pages };
      });
      return () => {
        for (const { region, present, data, pages } of plan) {
          const bytes = region.bytes!;
          let at = 0;
          for (let p = 0; p < pages; p++) {
            if (present[p >>> 3] & (1 << (p & 7))) {
              bytes.set(data.subarray(at, at + PAGE_SIZE), p * PAGE_SIZE);
              at += PAGE_SIZE;
            } else {
              bytes.fill(0, p * PAGE_SIZE, (p + 1) * PAGE_SIZE);
            }
          }
        }
      };
    },
  });
}
