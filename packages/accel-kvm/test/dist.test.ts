import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { loadAddon } from '../src/native/addon.js';

const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));

test('the addon loads from src (this process) with its constants', () => {
  const addon = loadAddon();
  expect(addon.constants.KVM_API_VERSION).toBe(12);
  expect(addon.constants.SIZEOF_SREGS).toBe(312);
});

if (!existsSync(dist))
  console.log('dist test skipped: dist/index.js is missing (run the package build first)');

test.skipIf(!existsSync(dist))('the built package (dist/) finds the addon too', () => {
  const script = `const { KvmAccelerator } = await import(${JSON.stringify(dist)});
const p = new KvmAccelerator().probe();
console.log(JSON.stringify({ status: p.status, reason: p.reason }));`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(child.stderr).toBe('');
  const result = JSON.parse(child.stdout) as { status: string; reason: string };
  // Whatever the device says, the addon itself must have loaded (no 'not built' error).
  expect(result.reason).not.toMatch(/addon is not built/);
  expect([
    'available',
    'no-device',
    'permission-denied',
    'wrong-api-version',
    'missing-capability',
  ]).toContain(result.status);
});
