import { existsSync } from 'node:fs';
import type { Accelerator } from '@tsvm/core';
import { describe, expect, it } from 'vitest';
import { runDifferential } from '../src/differential/run-differential.js';

/**
 * The real-mode guest on accel-kvm when /dev/kvm is usable. On this kind of machine KVM is a
 * software path whose instruction emulator runs ALU operations on the host CPU: a second,
 * hardware-backed check of the QEMU fixtures. (The 32-bit guests do not reach protected mode
 * there yet, see the README.) Imported by relative path, like accel-tcg, to keep the workspace
 * graph acyclic.
 */
const ACCEL_KVM = new URL('../../accel-kvm/src/index.ts', import.meta.url);
type KvmModule = { KvmAccelerator?: new () => Accelerator };
const mod: KvmModule | undefined = existsSync(ACCEL_KVM)
  ? await import(/* @vite-ignore */ ACCEL_KVM.href)
  : undefined;
const probe = mod?.KvmAccelerator ? await new mod.KvmAccelerator().probe() : undefined;
if (!probe?.available)
  console.info(`accel-kvm check skipped: ${probe?.reason ?? 'packages/accel-kvm has no KvmAccelerator'}`);

describe.runIf(probe?.available === true)('accel-kvm against the QEMU references', () => {
  it('realmode', async () => {
    const r = await runDifferential({ accelerator: () => new mod!.KvmAccelerator!(), guest: 'realmode' });
    expect(r.ok, r.report).toBe(true);
  }, 120_000);
});
