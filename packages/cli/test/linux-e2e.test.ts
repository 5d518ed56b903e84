import { join } from 'node:path';
import { CPUID_FEATURES_ECX, CPUID_FEATURES_EDX } from '@tsvm/accel-tcg';
import { describe, expect, it } from 'vitest';
import { fetchLinuxAssets, type LinuxAssets } from '../src/linux/fetch-linux.js';
import { INIT_BANNER, SHELL_PROMPT } from '../src/linux/initramfs.js';
import { type Running, start, tempDir } from './harness.js';

// Debian's own i386 kernel and a busybox initramfs, booted on accel-tcg through the real CLI.
// The assets are fetched through apt on first use and cached (see `tsvm fetch-linux`); without
// apt the tests skip and say why. The boot takes minutes of CPU on accel-tcg (XZ decompression
// of the kernel and the kernel's crypto self-tests are billions of instructions), so
// TSVM_LINUX_E2E=0 turns them off for quick local runs.
const enabled = process.env.TSVM_LINUX_E2E !== '0';
let assets: LinuxAssets | undefined;
if (!enabled) {
  console.warn('[skip] Linux boot tests: TSVM_LINUX_E2E=0 turned them off');
} else {
  try {
    assets = fetchLinuxAssets({ log: (line) => console.log(`[linux e2e] ${line}`) });
  } catch (e) {
    console.warn(`[skip] Linux boot tests: cannot fetch the kernel and initramfs: ${(e as Error).message}`);
  }
}

/** Boot to the shell prompt takes this long at most (seconds; a loaded CI machine is slow). */
const BOOT_S = Number(process.env.TSVM_LINUX_BOOT_TIMEOUT_S ?? 900);

/** CPUID.1:EDX bits and the names /proc/cpuinfo gives them. */
const EDX_FLAGS: readonly [number, string][] = [
  [0, 'fpu'],
  [1, 'vme'],
  [2, 'de'],
  [3, 'pse'],
  [4, 'tsc'],
  [5, 'msr'],
  [6, 'pae'],
  [7, 'mce'],
  [8, 'cx8'],
  [9, 'apic'],
  [11, 'sep'],
  [12, 'mtrr'],
  [13, 'pge'],
  [14, 'mca'],
  [15, 'cmov'],
  [16, 'pat'],
  [17, 'pse36'],
  [19, 'clflush'],
  [23, 'mmx'],
  [24, 'fxsr'],
  [25, 'sse'],
  [26, 'sse2'],
];

/**
 * Bits the kernel clears on this CPU signature (family 6, model 1, stepping 9) whatever CPUID
 * says, by its errata table in arch/x86/kernel/cpu/intel.c: SEP below signature 0x633 (the
 * Pentium Pro reports SEP without having it) and PAT on family 6 below model 15 (the
 * PAT-WC-versus-MTRR-UC erratum).
 */
const CLEARED_BY_LINUX = new Set(['sep', 'pat']);

/** CPUID.1:ECX bits and their /proc/cpuinfo names (SSE3 is `pni` there). */
const ECX_FLAGS: readonly [number, string][] = [
  [0, 'pni'],
  [9, 'ssse3'],
  [19, 'sse4_1'],
  [20, 'sse4_2'],
  [31, 'hypervisor'],
];

/** Type `command` and return the lines printed until `end` shows up (the echo of the command included). */
async function answer(vm: Running, command: string, end: string): Promise<string[]> {
  const before = vm.stdout().length;
  vm.child.stdin!.write(`${command}\n`);
  await vm.waitFor(end, 60_000);
  return vm
    .stdout()
    .slice(before)
    .split('\n')
    .map((l) => l.replace(/\r/g, '').trim())
    .filter((l) => !/^\[\s*\d+\.\d+\]/.test(l)); // kernel messages may land between the answers
}

describe.skipIf(!assets)('Linux on tcg (Debian 686 kernel, busybox initramfs)', () => {
  const snapshot = join(tempDir(), 'linux-prompt.snap');
  const common = () => [
    'run',
    '--accel',
    'tcg',
    '-m',
    '128M',
    '--kernel',
    assets!.kernel,
    '--initrd',
    assets!.initrd,
    '--append',
    'console=ttyS0',
  ];
  let bootLog = '';

  it(
    'boots to a shell that answers, with a clean boot log; a snapshot is taken at the prompt',
    async () => {
      const vm = start([...common(), '--savevm-at-exit', snapshot], { keepStdinOpen: true });
      try {
        await vm.waitFor(INIT_BANNER, BOOT_S * 1000);
        await vm.waitFor(SHELL_PROMPT, 60_000);
        bootLog = vm.stdout().replace(/\r/g, '');
        const version = assets!.source.kernelPackage.replace(/^linux-image-/, '').replace(/:i386$/, '');
        const out = await answer(
          vm,
          'uname -r; cat /proc/cpuinfo | grep -c ^processor; echo $((6*7)); ls /proc | head -3; echo done-$((1+1))',
          'done-2',
        );
        const at = out.indexOf(version);
        expect(at, out.join('\n')).toBeGreaterThanOrEqual(0);
        expect(out.slice(at, at + 4)).toEqual([version, '1', '42', '1']);
        expect(out[at + 4]).toMatch(/^\d+$/);
        expect(out[at + 5]).toMatch(/^\d+$/);
        // The kernel's view of the CPU matches the CPUID the executor reports.
        const flags = (await answer(vm, 'grep -m1 ^flags /proc/cpuinfo; echo end-$((2+2))', 'end-4'))
          .find((l) => l.startsWith('flags'))!
          .split(':')[1]
          .trim()
          .split(/\s+/);
        for (const [bit, name] of EDX_FLAGS) {
          if (CPUID_FEATURES_EDX & (1 << bit) && !CLEARED_BY_LINUX.has(name))
            expect(flags, name).toContain(name);
          else expect(flags, name).not.toContain(name);
        }
        for (const [bit, name] of ECX_FLAGS) {
          if (CPUID_FEATURES_ECX & (1 << bit)) expect(flags, name).toContain(name);
          else expect(flags, name).not.toContain(name);
        }
        await vm.waitFor(SHELL_PROMPT);
        // The whole session's console, boot and commands: the kernel complains late too (the
        // clocksource watchdog, for one, compares its clocks every half second).
        bootLog = vm.stdout().replace(/\r/g, '');
        vm.child.kill('SIGTERM'); // ends the run cleanly, writing --savevm-at-exit
        const r = await vm.done;
        expect(r.status, r.stderr).toBe(0);
      } finally {
        vm.child.kill('SIGKILL');
      }
    },
    (BOOT_S + 180) * 1000,
  );

  it("shows the board in the kernel's log: e820 map, ACPI, one CPU, the 16550A on IRQ 4; no oops or warnings", () => {
    expect(bootLog).toContain('BIOS-e820: [mem 0x0000000000000000-0x000000000009ffff] usable');
    expect(bootLog).toContain('BIOS-e820: [mem 0x00000000000a0000-0x00000000000fffff] reserved');
    expect(bootLog).toContain('BIOS-e820: [mem 0x0000000000100000-0x0000000007ffffff] usable');
    expect(bootLog).toMatch(/ACPI: RSDP 0x00000000000E0000 000014 \(v00 TSVM {2}\)/);
    expect(bootLog).toMatch(/ACPI: FACP 0x[0-9A-F]+ 0000F4 \(v03 TSVM/);
    expect(bootLog).toContain('ttyS0 at I/O 0x3f8 (irq = 4, base_baud = 115200) is a 16550A');
    expect(bootLog).toMatch(/Total of 1 processors activated|Allowing 1 CPUs/);
    for (const bad of ['Oops', 'BUG:', 'WARNING:', 'Call Trace', 'Kernel panic', 'clocksource unstable'])
      expect(bootLog).not.toContain(bad);
    // The one exception is advice every ACPI PC gets (QEMU's too), not a complaint about the board.
    const advice = /PCI: Using host bridge windows from ACPI; if necessary, use "pci=nocrs" and report a bug/;
    const complaints = bootLog
      .split('\n')
      .filter(
        (l) =>
          /fpu|tsc|acpi|i8042|clocksource/i.test(l) &&
          /warn|fail|error|unstable|giving up|bug|invalid|skew/i.test(l) &&
          !advice.test(l),
      );
    expect(complaints).toEqual([]);
  });

  it('resumes from the snapshot in a new process: the shell answers the next command, poweroff exits 0', async () => {
    const vm = start([...common(), '--loadvm', snapshot], { keepStdinOpen: true });
    try {
      expect(await answer(vm, 'echo resumed-$((6*7))', 'resumed-42')).toContain('resumed-42');
      vm.child.stdin!.write('poweroff\n');
      const r = await vm.done;
      expect(r.stdout).toContain('reboot: Power down');
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toContain('guest powered off (ACPI S5)');
    } finally {
      vm.child.kill('SIGKILL');
    }
  }, 240_000);
});
