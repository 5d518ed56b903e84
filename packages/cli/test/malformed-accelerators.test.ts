import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPO, run } from './harness.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/malformed/${name}.mjs`, import.meta.url));
const GUEST = ['--rom', join(REPO, 'packages/arch-x86/guests/realmode-hello.bin'), '--timeout', '10'];

/** One line on stderr, no stack frames, and the status the CLI documents. */
function expectCleanFailure(
  r: { status: number | null; stderr: string },
  status: number,
  text: RegExp,
): void {
  expect(r.status).toBe(status);
  expect(r.stderr).toMatch(text);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
}

describe('malformed accelerator modules are refused with a specific message', () => {
  it('a module without an accelerator export names what it exports', async () => {
    const r = await run(['run', ...GUEST, '--accel', fixture('no-export')]);
    expectCleanFailure(
      r,
      4,
      /exports no accelerator \(it exports 'helper', 'version'\); expected an accelerator object/,
    );
  });

  it('an object of the wrong shape names the missing member', async () => {
    const r = await run(['run', ...GUEST, '--accel', fixture('wrong-shape')]);
    expectCleanFailure(r, 4, /exports no accelerator: export 'default' lacks createVm\(\) \(a function\)/);
  });

  it('a probe that throws is reported as the reason it is unavailable', async () => {
    const r = await run(['run', ...GUEST, '--accel', fixture('probe-throws')]);
    expectCleanFailure(
      r,
      4,
      /accelerator '.*probe-throws\.mjs' is unavailable: probe failed: hypervisor framework not found/,
    );
  });

  it('a probe that returns garbage is refused', async () => {
    const r = await run(['run', ...GUEST, '--accel', fixture('probe-garbage')]);
    expectCleanFailure(r, 4, /probe\(\) returned "yes", not an object/);
  });

  it('a module that throws while loading is refused', async () => {
    const r = await run(['run', ...GUEST, '--accel', fixture('import-throws')]);
    expectCleanFailure(r, 4, /cannot load .*import-throws\.mjs: module initialisation failed/);
  });

  it('a createVm that throws stops start-up with its message', async () => {
    const r = await run(['run', ...GUEST, '--accel', fixture('create-vm-throws')]);
    expectCleanFailure(r, 4, /out of VM slots/);
  });

  it('a run() that returns garbage ends the run as an accelerator error', async () => {
    const r = await run(['run', ...GUEST, '--accel', fixture('run-garbage')]);
    expect(r.status).toBe(6);
    expect(r.stderr).toMatch(
      /accelerator 'garbage' returned an invalid exit: \{"kind":"banana","peel":true\}/,
    );
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('a run() that throws ends the run as an accelerator error', async () => {
    const r = await run(['run', ...GUEST, '--accel', fixture('run-throws')]);
    expect(r.status).toBe(6);
    expect(r.stderr).toMatch(
      /accelerator 'crashy' failed: Cannot read properties of undefined \(reading 'eip'\)/,
    );
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('a missing module path is refused', async () => {
    const r = await run(['run', ...GUEST, '--accel', './no/such/accelerator.mjs']);
    expectCleanFailure(r, 4, /cannot load .*no\/such\/accelerator\.mjs/);
  });

  it('tsvm accels lists a malformed module as unavailable with its reason', async () => {
    const r = await run(['accels', fixture('wrong-shape'), fixture('probe-throws')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/wrong-shape\.mjs +unavailable +.*lacks createVm\(\)/);
    expect(r.stdout).toMatch(/probe-throws\.mjs +unavailable +probe failed: hypervisor framework not found/);
  });
});
