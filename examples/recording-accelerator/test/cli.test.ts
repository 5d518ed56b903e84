import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KvmAccelerator } from '@tsvm/accel-kvm';
import { describe, expect, it } from 'vitest';

const exampleDir = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const tsvm = join(dirname(require.resolve('@tsvm/cli/package.json')), 'bin/tsvm.js');
const rom = join(dirname(require.resolve('@tsvm/arch-x86/package.json')), 'guests/realmode-hello.bin');
const kvm = await new KvmAccelerator().probe();

function runWithExample(inner: string) {
  return spawnSync(process.execPath, [tsvm, 'run', '--rom', rom, '--accel', exampleDir, '--timeout', '30'], {
    encoding: 'utf8',
    env: { ...process.env, TSVM_RECORD_INNER: inner },
  });
}

describe('tsvm run --accel ./examples/recording-accelerator', () => {
  it('runs a shipped guest through the recorder around tcg', () => {
    const r = runWithExample('tcg');
    expect(r.stdout).toBe('real mode ok\n');
    expect(r.status).toBe(67);
    expect(r.stderr).toMatch(/^recorder: writebacks: none; readbacks: 0; exits: yield×\d+\n$/);
  });

  it.skipIf(!kvm.available)('runs a shipped guest through the recorder around kvm', () => {
    const r = runWithExample('kvm');
    expect(r.stdout).toBe('real mode ok\n');
    expect(r.status).toBe(67);
    expect(r.stderr).toMatch(/recorder: writebacks: Full×1; readbacks: 0; exits: /);
  });

  it('refuses an unknown inner accelerator as unavailable, with the reason', () => {
    const r = runWithExample('hvf');
    expect(r.status).toBe(4);
    expect(r.stderr).toMatch(/probe failed: TSVM_RECORD_INNER must be 'tcg' or 'kvm', not 'hvf'/);
  });
});
