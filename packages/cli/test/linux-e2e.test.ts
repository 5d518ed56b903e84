import { join } from 'node:path';
import { CPUID_FEATURES_EDX } from '@tsvm/accel-tcg';
import { describe, expect, it } from 'vitest';
import { fetchLinuxAssets, type LinuxAssets } from '../src/linux/fetch-linux.js';
import { INIT_BANNER, SHELL_PROMPT } from '../src/linux/initramfs.js';
import { type Running, start, tempDir } from './harness.js';

// Debian's own i386 kernel and a busybox initramfs, booted on accel-tcg through the real CLI.
// The assets are fetched through apt on first use and cached (see `tsvm fetch-linux`).
// Opt-in for now (TSVM_LINUX_E2E=1): on today's accel-tcg the kernel stops at its first x87
// arithmetic instruction (fpu__init_check_bugs) until issue 11's x87 lands, and on a loaded
// 2-core machine the boot takes minutes (the XZ decompression alone is over a minute of CPU).
const enabled = process.env.TSVM_LINUX_E2E === '1';
let assets: LinuxAssets | undefined;
if (!enabled) {
  console.warn(
    '[skip] Linux boot tests: set TSVM_LINUX_E2E=1 to run them (the kernel needs x87 arithmetic in accel-tcg, issue 11, and minutes of CPU)',
  );
} else {
  try {
    assets = fetchLinuxAssets({ log: (line) => console.log(`[linux e2e] ${line}`) });
  } catch (e) {
    console.warn(`[skip] Linux boot tests: cannot fetch the kernel and initramfs: ${(e as Error).message}`);
  }
}

/** Boot to the shell prompt takes this long at most (seconds; a loaded CI machine is slow). */
const BOOT_S = Number(process.env.TSVM_LINUX_BOOT_TIMEOUT_S ?? 300);

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

/** Type `command` and return the lines printed until `end` shows up (the echo of the command included). */
async function answer(vm: Running, command: string, end: string): Promise<string[]> {
  const before = vm.stdout().length;
  vm.child.stdin!.write(`${command}\n`);
  await vm.waitFor(end, 60_000);
  return vm
    .stdout()
    .slice(before)
    .split('\n')
    .map((l) => l.replace(/\r/g, '').trim());
}

describe.skipIf(!assets)('Linux on tcg (Debian 686 kernel, busybox initramfs)', () => {
  const snapshot = join(tempDir(), 'linux-prompt.snap');
  const common = () => [
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
          if (CPUID_FEATURES_EDX & (1 << bit)) expect(flags, name).toContain(name);
          else expect(flags, name).not.toContain(name);
        }
        await vm.waitFor(SHELL_PROMPT);
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
    const complaints = bootLog
      .split('\n')
      .filter(
        (l) => /fpu|tsc|acpi|i8042/i.test(l) && /warn|fail|error|unstable|giving up|bug|invalid/i.test(l),
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
