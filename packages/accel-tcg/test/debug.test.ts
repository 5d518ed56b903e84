import { expect, test } from 'vitest';
import { loadGuest } from './harness/fixtures.js';
import { runGuest } from './harness/tcg-runner.js';

test.skipIf(!process.env.GUEST)(
  'prints one guest transcript (a debugging aid: skipped unless GUEST=name is set)',
  async () => {
    const g = loadGuest(process.env.GUEST!);
    const r = await runGuest(g.rom);
    console.log(JSON.stringify(r.stop, null, 1));
    console.log(
      r.text
        .split('\n')
        .slice(-(Number(process.env.LINES) || 8))
        .join('\n'),
    );
    expect(r).toBeDefined();
  },
);
