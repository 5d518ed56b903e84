import { readFileSync } from 'node:fs';
import type { ProbeResult } from '@tsvm/core';
import type { KvmAddon, SystemHandle } from './native/addon.js';

/** Capabilities the backend cannot work without, by the constant name the addon exports. */
export const REQUIRED_CAPABILITIES = [
  'CAP_USER_MEMORY',
  'CAP_SET_TSS_ADDR',
  'CAP_EXT_CPUID',
  'CAP_XSAVE',
  'CAP_XCRS',
  'CAP_VCPU_EVENTS',
  'CAP_DEBUGREGS',
  'CAP_MP_STATE',
  'CAP_READONLY_MEM',
  'CAP_IMMEDIATE_EXIT',
] as const;

export const EXPECTED_API_VERSION = 12;

export interface KvmProbeResult extends ProbeResult {
  /** Which case applies. */
  readonly status:
    | 'available'
    | 'no-device'
    | 'permission-denied'
    | 'wrong-api-version'
    | 'missing-capability'
    | 'error';
  /** True when /proc/cpuinfo shows vmx or svm. */
  readonly hardwareAccelerated: boolean;
  readonly apiVersion?: number;
  readonly missingCapability?: string;
}

export interface ProbeOptions {
  readonly devicePath?: string;
  /** For tests: an addon stand-in, or a loader error to report. */
  readonly addon?: () => KvmAddon;
  readonly cpuinfo?: () => string;
}

/** vmx (Intel VT-x) or svm (AMD-V) among the CPU flags. */
export function hasHardwareVirtualization(cpuinfo: string): boolean {
  return /^flags\s*:.*\b(vmx|svm)\b/m.test(cpuinfo);
}

function readCpuinfo(): string {
  try {
    return readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return '';
  }
}

/** Find out whether KVM can be used here, and say why (not). */
export function probeKvm(load: () => KvmAddon, options: ProbeOptions = {}): KvmProbeResult {
  const path = options.devicePath ?? '/dev/kvm';
  const hw = hasHardwareVirtualization((options.cpuinfo ?? readCpuinfo)());
  const speed = hw
    ? 'hardware virtualisation (vmx/svm) is present'
    : 'no vmx/svm in /proc/cpuinfo: KVM runs on a software path (e.g. kvm_pvm) at a fraction of native speed';
  const result = (
    status: KvmProbeResult['status'],
    reason: string,
    extra: Partial<KvmProbeResult> = {},
  ): KvmProbeResult => ({
    available: status === 'available',
    status,
    reason,
    hardwareAccelerated: hw,
    ...extra,
  });
  let addon: KvmAddon;
  try {
    addon = (options.addon ?? load)();
  } catch (e) {
    return result('error', (e as Error).message);
  }
  let sys: SystemHandle;
  try {
    sys = addon.openSystem(path);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT' || code === 'ENODEV' || code === 'ENXIO') {
      return result(
        'no-device',
        `${path} does not exist: the kvm module is not loaded or the device is not exposed`,
      );
    }
    if (code === 'EACCES' || code === 'EPERM') {
      return result(
        'permission-denied',
        `permission denied opening ${path}: add the user to the 'kvm' group or adjust the device's mode`,
      );
    }
    return result('error', `cannot open ${path}: ${(e as Error).message}`);
  }
  try {
    let version: number;
    try {
      version = addon.getApiVersion(sys);
    } catch (e) {
      return result('error', `${path} is not a KVM device: ${(e as Error).message}`);
    }
    if (version !== EXPECTED_API_VERSION) {
      return result(
        'wrong-api-version',
        `${path} speaks KVM API version ${version}, tsvm needs ${EXPECTED_API_VERSION}`,
        {
          apiVersion: version,
        },
      );
    }
    for (const cap of REQUIRED_CAPABILITIES) {
      if (addon.checkExtension(sys, addon.constants[cap]) <= 0) {
        return result(
          'missing-capability',
          `KVM lacks the required capability KVM_${cap} (${addon.constants[cap]})`,
          {
            apiVersion: version,
            missingCapability: `KVM_${cap}`,
          },
        );
      }
    }
    return result('available', `KVM API ${version} at ${path} is usable; ${speed}`, { apiVersion: version });
  } finally {
    addon.close(sys);
  }
}
