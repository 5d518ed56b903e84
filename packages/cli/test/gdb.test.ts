import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { debianTool } from './debian-tools.js';
import { CLI, REPO, type Running, start, tempDir } from './harness.js';

// Debian's gdb drives tsvm's gdb stub (and QEMU's, for reference) on a guest ELF with symbols:
// break on a symbol, read and change a register, single-step, read memory, watch a store, and
// the guest's own output shows the changed register.

const GUEST = join(REPO, 'packages/cli/test/guests/gdbguest.elf');
const gdb = debianTool('gdb', 'gdb');
if ('skip' in gdb) console.warn(`[skip] gdb tests: ${gdb.skip}`);
const qemu = debianTool('qemu-system-i386', 'qemu-system-x86');
if ('skip' in qemu) console.warn(`[skip] gdb comparison with QEMU's gdbstub: ${qemu.skip}`);
const accels: { name: string; available: boolean; hardwareAccelerated?: boolean; reason: string }[] =
  JSON.parse(execFileSync(process.execPath, [CLI, 'accels', '--json'], { encoding: 'utf8' }));
const usable = (name: string) => accels.find((a) => a.name === name)?.available ?? false;
/** TCG's watchpoints are address compares; KVM's are debug registers, which only hardware KVM checks. */
const hardwareWatch = (name: string) =>
  name === 'tcg' || (accels.find((a) => a.name === name)?.hardwareAccelerated ?? false);
for (const a of accels) if (!a.available) console.warn(`[skip] gdb on ${a.name}: ${a.reason}`);

let nextPort = 21000 + (process.pid % 8000);
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

// Software KVM (kvm_pvm) has no data breakpoints (KVM's instruction emulator checks only
// instruction breakpoints), so the KVM accelerator offers no watchpoints there and the script
// asks gdb for its own (single-stepping) watchpoint instead.
const SCRIPT = (port: number, hardwareWatch = true) => `set pagination off
set confirm off
target remote 127.0.0.1:${port}
break checkpoint
continue
info registers eax ecx edx ebx esp ebp esi edi eip eflags cs ss ds es fs gs
set $eax = 0xcafe1234
stepi
print/x $pc
stepi
print/x $pc
x/s &message
print/x $eax
delete
${hardwareWatch ? '' : 'set can-use-hw-watchpoints 0\n'}watch -l *(int *)($esp - 4)
continue
print/x *(int *)$esp
delete
hbreak puthex
continue
print/x $pc
delete
continue
`;

interface GdbRun {
  out: string;
  registers: Record<string, string>;
}

/** Run the script with gdb in batch mode against a stub on `port`. */
function runGdb(port: number, dir: string, script = SCRIPT(port)): GdbRun {
  const file = join(dir, `session-${port}.gdb`);
  writeFileSync(file, script);
  const r = spawnSync((gdb as { path: string }).path, ['-nx', '-batch', '-x', file, GUEST], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  const out = `${r.stdout}${r.stderr}`;
  const registers: Record<string, string> = {};
  for (const m of out.matchAll(/^(e[a-z]{2}|[cdefgs]s|eflags)\s+(0x[0-9a-f]+)/gm)) registers[m[1]] ??= m[2];
  return { out, registers };
}

function checkSession(out: string): void {
  expect(out).toMatch(/Breakpoint 1, 0x0010[0-9a-f]{4} in checkpoint \(\)/);
  // Two single steps over the two NOPs at `checkpoint`.
  const pcs = [...out.matchAll(/^\$\d+ = (0x[0-9a-f]+)$/gm)].map((m) => m[1]);
  expect(Number(pcs[1]) - Number(pcs[0])).toBe(1);
  expect(out).toContain('"gdbguest: start\\n"');
  expect(out).toContain('= 0xcafe1234');
  // The watchpoint fires on `push eax` storing the changed register.
  expect(out).toMatch(/atchpoint 2: -location[^\n]*\n\nOld value = [^\n]*\nNew value = -889318860/);
  expect(out).toMatch(/Breakpoint 3, 0x0010[0-9a-f]{4} in puthex \(\)/);
}

async function tsvmSession(
  accel: string,
  script: (port: number) => string = SCRIPT,
  extra: { args?: string[]; env?: NodeJS.ProcessEnv } = {},
): Promise<{ run: GdbRun; vm: Running }> {
  const port = nextPort++;
  const dir = tempDir();
  const vm = start(['run', GUEST, '--accel', accel, '--gdb', `tcp::${port}`, '-S', ...(extra.args ?? [])], {
    env: extra.env,
  });
  for (let i = 0; i < 400 && !vm.stderr().includes('gdb stub listening'); i++)
    await new Promise((r) => setTimeout(r, 50));
  const run = runGdb(port, dir, script(port));
  await vm.done;
  return { run, vm };
}

describe('gdb remote stub with Debian gdb', () => {
  const haveGdb = !('skip' in gdb);
  let reference: GdbRun | undefined;

  it.skipIf(!haveGdb || 'skip' in qemu)(
    "the session script against QEMU's gdbstub (reference)",
    async () => {
      const port = nextPort++;
      const dir = tempDir();
      const serial = join(dir, 'serial.out');
      const child = spawn(
        (qemu as { path: string }).path,
        [
          '-display',
          'none',
          '-monitor',
          'none',
          '-kernel',
          GUEST,
          '-serial',
          `file:${serial}`,
          '-device',
          'isa-debug-exit,iobase=0xf4,iosize=4',
          '-gdb',
          `tcp::${port}`,
          '-S',
        ],
        { stdio: 'ignore' },
      );
      children.push(child);
      await new Promise((r) => setTimeout(r, 500));
      reference = runGdb(port, dir);
      checkSession(reference.out);
    },
    150_000,
  );

  for (const accel of ['tcg', 'kvm']) {
    it.skipIf(!haveGdb || !usable(accel))(
      `on ${accel}: break, registers, step, memory, watchpoint, hbreak`,
      async () => {
        const hw = hardwareWatch(accel);
        if (!hw)
          console.warn(
            `[note] gdb on ${accel}: no hardware watchpoints here (software KVM); gdb's own watchpoint instead`,
          );
        const { run, vm } = await tsvmSession(accel, (port) => SCRIPT(port, hw));
        checkSession(run.out);
        expect(run.out).toContain(hw ? 'Hardware watchpoint 2: -location' : 'Watchpoint 2: -location');
        // QEMU drops the connection at the debug exit; tsvm reports the exit status (W packet).
        expect(run.out).toContain('exited with code 041');
        const r = await vm.done;
        // The register the debugger changed reached the guest.
        expect(r.stdout).toBe('gdbguest: start\neax=cafe1234\n');
        expect(r.status).toBe(33);
        expect(Object.keys(run.registers)).toHaveLength(16);
        if (reference) expect(run.registers).toEqual(reference.registers);
        else console.warn("[skip] register comparison: QEMU's reference session did not run");
      },
      150_000,
    );
  }

  // The debugger as the sharpest test of the writeback levels: every stop reads the registers
  // through synchronizeState and every resume pushes them back at Runtime level, which must
  // never include IA32_TSC (writing it would rewind the guest's clock).
  it.skipIf(!haveGdb || !usable('kvm'))(
    'on kvm: gdb reads all registers at 1,000 stops in an RDTSC loop; the TSC never goes back, IA32_TSC is written once',
    async () => {
      const traceFile = join(tempDir(), 'kvm-trace.jsonl');
      const { run, vm } = await tsvmSession(
        'kvm',
        (port) => `set pagination off
set confirm off
target remote 127.0.0.1:${port}
hbreak tsc_mode.tick
set $i = 0
while $i < 1000
  continue
  p/x $eax
  set $i = $i + 1
end
delete
continue
`,
        { args: ['--append', 'tsc'], env: { TSVM_KVM_TRACE: traceFile } },
      );
      expect(run.out.match(/^Breakpoint 1, 0x[0-9a-f]+ in tsc_mode\[tick\] \(\)$/gm)).toHaveLength(1000);
      expect(run.out).toContain('$1000 = 0x');
      const r = await vm.done;
      // The guest compared 1000 consecutive RDTSC values: none went backwards.
      expect(r.stdout).toBe('gdbguest: start\ntsc backwards=00000000\n');
      expect(r.status).toBe(35);
      const trace = readFileSync(traceFile, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { ioctl: string; msrs?: number[]; tsc?: string });
      // Each stop's read marks the state dirty, so each resume wrote registers back ...
      expect(trace.filter((t) => t.ioctl === 'KVM_SET_REGS').length).toBeGreaterThanOrEqual(1000);
      // ... but IA32_TSC (MSR 0x10) only once: in the Full writeback at start, the first MSR batch.
      const tscWrites = trace.flatMap((t, i) => (t.msrs?.includes(0x10) ? [i] : []));
      expect(tscWrites).toEqual([trace.findIndex((t) => t.ioctl === 'KVM_SET_MSRS')]);
      expect(trace[tscWrites[0]].tsc).toBe('1');
    },
    150_000,
  );

  it.skipIf(!haveGdb || !usable('kvm') || hardwareWatch('kvm'))(
    'on software kvm: a hardware watchpoint is refused as unsupported, and detaching lets the guest finish',
    async () => {
      const { run, vm } = await tsvmSession(
        'kvm',
        (port) => `set pagination off
set confirm off
target remote 127.0.0.1:${port}
break checkpoint
continue
delete
watch -l *(int *)($esp - 4)
continue
`,
      );
      expect(run.out).toMatch(/Breakpoint 1, 0x0010[0-9a-f]{4} in checkpoint \(\)/);
      expect(run.out).toContain('Could not insert hardware watchpoint 2.');
      const r = await vm.done;
      expect(r.stdout).toBe('gdbguest: start\neax=11111111\n');
      expect(r.status).toBe(33);
    },
    150_000,
  );
});
