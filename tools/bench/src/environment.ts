import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

/** The machine and checkout a benchmark ran on. */
export interface Environment {
  readonly date: string;
  readonly commit: string;
  /** True when the working tree had uncommitted changes to tracked files. */
  readonly dirty: boolean;
  readonly cpuModel: string;
  readonly cores: number;
  readonly node: string;
  readonly loadAverage: readonly number[];
  readonly kvm: KvmDescription;
}

export interface KvmDescription {
  readonly device: 'usable' | 'absent' | 'no permission';
  /** VMX or SVM in the CPU flags: KVM runs guest code on hardware virtualisation. */
  readonly hardwareBacked: boolean;
  /** The KVM kernel module(s) loaded, e.g. `kvm_pvm`, `kvm_intel`. */
  readonly modules: readonly string[];
  readonly note: string;
}

export function describeKvm(): KvmDescription {
  const flags = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  const hardwareBacked = /^flags\s*:.*\b(vmx|svm)\b/m.test(flags);
  // /sys/module lists built-in modules too (kvm_pvm is built in on these machines).
  const modules = existsSync('/sys/module')
    ? readdirSync('/sys/module')
        .filter((m) => /^kvm/.test(m))
        .sort()
    : [];
  let device: KvmDescription['device'] = 'usable';
  if (!existsSync('/dev/kvm')) device = 'absent';
  else {
    try {
      accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
    } catch {
      device = 'no permission';
    }
  }
  const note =
    device !== 'usable'
      ? `/dev/kvm is ${device}: KVM rows are not available`
      : hardwareBacked
        ? 'hardware-backed (VMX/SVM present)'
        : `NOT hardware-backed: no VMX/SVM in the CPU flags, /dev/kvm is a software path (${modules.join(', ') || 'unknown module'}); KVM figures here say nothing about hardware KVM`;
  return { device, hardwareBacked, modules, note };
}

function git(args: string[], cwd: string): string {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

export function describeEnvironment(repoRoot: string): Environment {
  const cpuList = cpus();
  return {
    date: new Date().toISOString(),
    commit: git(['rev-parse', 'HEAD'], repoRoot) || 'unknown (not a git checkout)',
    dirty: git(['status', '--porcelain', '--untracked-files=no'], repoRoot) !== '',
    cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
    cores: cpuList.length,
    node: process.version,
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
    kvm: describeKvm(),
  };
}
