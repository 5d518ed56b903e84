import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
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
const accels: { name: string; available: boolean; reason: string }[] = JSON.parse(
  execFileSync(process.execPath, [CLI, 'accels', '--json'], { encoding: 'utf8' }),
);
const usable = (name: string) => accels.find((a) => a.name === name)?.available ?? false;
for (const a of accels) if (!a.available) console.warn(`[skip] gdb on ${a.name}: ${a.reason}`);

let nextPort = 21000 + (process.pid % 8000);
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

const SCRIPT = (port: number) => `set pagination off
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
watch -l *(int *)($esp - 4)
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
function runGdb(port: number, dir: string): GdbRun {
  const script = join(dir, `session-${port}.gdb`);
  writeFileSync(script, SCRIPT(port));
  const r = spawnSync((gdb as { path: string }).path, ['-nx', '-batch', '-x', script, GUEST], {
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

async function tsvmSession(accel: string): Promise<{ run: GdbRun; vm: Running }> {
  const port = nextPort++;
  const dir = tempDir();
  const vm = start(['run', GUEST, '--accel', accel, '--gdb', `tcp::${port}`, '-S']);
  for (let i = 0; i < 400 && !vm.stderr().includes('gdb stub listening'); i++)
    await new Promise((r) => setTimeout(r, 50));
  const run = runGdb(port, dir);
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
        const { run, vm } = await tsvmSession(accel);
        checkSession(run.out);
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
});
