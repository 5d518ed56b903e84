import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { hasHardwareVirtualization, KvmAccelerator, probeKvm } from '../src/index.js';
import { type KvmAddon, loadAddon } from '../src/native/addon.js';
import { kvmUnusableReason } from './helpers.js';

const skip = kvmUnusableReason();

/** The real addon with some answers replaced (the real device cannot be made to give them). */
const patched =
  (overrides: Partial<KvmAddon>): (() => KvmAddon) =>
  () => ({ ...loadAddon(), ...overrides });

describe('probe', () => {
  test.skipIf(skip !== undefined)(
    'the real /dev/kvm is available and says whether vmx/svm is present',
    () => {
      const result = new KvmAccelerator().probe();
      expect(result.status).toBe('available');
      expect(result.apiVersion).toBe(12);
      const hw = /\b(vmx|svm)\b/.test(readFileSync('/proc/cpuinfo', 'utf8'));
      expect(result.hardwareAccelerated).toBe(hw);
      if (!hw) expect(result.reason).toMatch(/software path/);
    },
  );

  test('no device', () => {
    const result = new KvmAccelerator({ devicePath: '/nonexistent/kvm' }).probe();
    expect(result).toMatchObject({ available: false, status: 'no-device' });
    expect(result.reason).toMatch(/\/nonexistent\/kvm does not exist/);
  });

  test('a file that is not a KVM device', () => {
    const result = new KvmAccelerator({ devicePath: '/dev/null' }).probe();
    expect(result).toMatchObject({ available: false, status: 'error' });
    expect(result.reason).toMatch(/not a KVM device: KVM_GET_API_VERSION failed: ENOTTY/);
  });

  test('permission denied, as the kernel reports it to an unprivileged process', () => {
    const addonPath = fileURLToPath(new URL('../build/Release/tsvm_kvm.node', import.meta.url));
    // Without /dev/kvm on this machine, a root-only file stands in: the kernel's answer to an
    // unprivileged open is the same EACCES.
    let device = '/dev/kvm';
    if (!existsSync(device)) {
      device = join(mkdtempSync(join(tmpdir(), 'tsvm-probe-')), 'kvm');
      writeFileSync(device, '', { mode: 0o600 });
      console.log(`permission check uses ${device} (mode 0600): /dev/kvm does not exist here`);
    }
    const child = spawnSync(
      process.execPath,
      [
        '-e',
        `try { require(${JSON.stringify(addonPath)}).openSystem(${JSON.stringify(device)}); console.log('opened') } catch (e) { console.log(e.code) }`,
      ],
      { uid: 65534, gid: 65534, encoding: 'utf8' },
    );
    if (child.error || child.status !== 0) {
      console.log(
        `permission check skipped: cannot run a child as nobody (${child.error?.message ?? child.stderr})`,
      );
      return;
    }
    const code = child.stdout.trim();
    if (code === 'opened') {
      console.log('permission check: /dev/kvm is world-accessible here');
      return;
    }
    expect(code).toBe('EACCES');
    const result = probeKvm(loadAddon, {
      addon: patched({
        openSystem: () => {
          throw Object.assign(new Error('open failed: EACCES'), { code });
        },
      }),
    });
    expect(result).toMatchObject({ available: false, status: 'permission-denied' });
    expect(result.reason).toMatch(/permission denied opening \/dev\/kvm/);
  });

  test.skipIf(skip !== undefined)('wrong API version', () => {
    const result = probeKvm(loadAddon, { addon: patched({ getApiVersion: () => 11 }) });
    expect(result).toMatchObject({ available: false, status: 'wrong-api-version', apiVersion: 11 });
    expect(result.reason).toMatch(/API version 11, tsvm needs 12/);
  });

  test.skipIf(skip !== undefined)('missing capability', () => {
    const addon = loadAddon();
    const result = probeKvm(loadAddon, {
      addon: patched({
        checkExtension: (sys, cap) =>
          cap === addon.constants.CAP_READONLY_MEM ? 0 : addon.checkExtension(sys, cap),
      }),
    });
    expect(result).toMatchObject({
      available: false,
      status: 'missing-capability',
      missingCapability: 'KVM_CAP_READONLY_MEM',
    });
  });

  test('createVm refuses when KVM is unusable, and refuses other architectures', () => {
    expect(() =>
      new KvmAccelerator({ devicePath: '/nonexistent/kvm' }).createVm({ arch: 'x86', cpuCount: 1 }),
    ).toThrow(/KVM is not usable: \/nonexistent\/kvm does not exist/);
    expect(() => new KvmAccelerator().createVm({ arch: 'riscv', cpuCount: 1 })).toThrow(
      /runs x86 guests, not 'riscv'/,
    );
  });

  test('hardware virtualisation is read from the CPU flags', () => {
    expect(hasHardwareVirtualization('flags\t\t: fpu vme vmx sse\n')).toBe(true);
    expect(hasHardwareVirtualization('flags\t\t: fpu svm\n')).toBe(true);
    expect(hasHardwareVirtualization('flags\t\t: fpu sse hypervisor\n')).toBe(false);
  });
});
