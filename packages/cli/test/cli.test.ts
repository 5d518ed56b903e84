import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Op, run, SCRIPT_ACCEL, scriptImage, start, tempDir } from './harness.js';

const accel = ['--accel', SCRIPT_ACCEL];

describe('tsvm command line', () => {
  it('prints help and version', async () => {
    const help = await run(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('run IMAGE');
    const runHelp = await run(['run', '--help']);
    expect(runHelp.stdout).toContain('--savevm-at-exit FILE');
    for (const args of [
      ['--version'],
      ['run', '--version'],
      ['accels', '--version'],
      ['snapshot', 'info', '-V'],
    ]) {
      expect((await run(args)).stdout).toMatch(/^tsvm \d+\.\d+\.\d+\n$/);
    }
    expect((await run(['accels', '--help'])).stdout).toContain('Usage: tsvm accels');
    expect((await run(['snapshot', '--help'])).stdout).toContain('Usage: tsvm snapshot info');
  });

  it.each([
    [['run'], 'give an IMAGE or --rom FILE'],
    [['run', 'x', '--bogus'], "unknown option '--bogus'"],
    [['run', 'x', '--accel'], "option '--accel' needs a value"],
    [['run', 'x', '-m', 'lots'], "-m: 'lots' is not a size"],
    [['run', 'x', '--serial', 'tcp:1'], "--serial: 'tcp:1' is not stdio, file:PATH or none"],
    [['run', 'x', '--trace', 'everything'], "--trace: unknown event 'everything'"],
    [['run', 'x', '--timeout', '-1'], "--timeout: '-1' is not a positive number"],
    [['frobnicate'], "unknown command 'frobnicate'"],
  ])('refuses bad usage %j with status 2 and one line', async (args, message) => {
    const r = await run(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('exits with the guest debug-exit status and shows its serial output', async () => {
    const dir = tempDir();
    const image = scriptImage(dir, 'hello.bin', 'hello, world\n', Op.exit(0x10));
    const r = await run(['run', image, ...accel]);
    expect(r.stdout).toBe('hello, world\n');
    expect(r.status).toBe(0x21);
  });

  it('exits 0 when the guest halts for good, with a note on stderr', async () => {
    const image = scriptImage(tempDir(), 'halt.bin', 'bye\n', Op.haltForGood);
    const r = await run(['run', image, ...accel]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('vCPU halted with interrupts disabled');
  });

  it('writes serial output to a file with --serial file:PATH, or drops it with none', async () => {
    const dir = tempDir();
    const image = scriptImage(dir, 'f.bin', 'to a file\n', Op.exit(0));
    const out = join(dir, 'serial.txt');
    const r = await run(['run', image, ...accel, '--serial', `file:${out}`]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(readFileSync(out, 'utf8')).toBe('to a file\n');
    const none = await run(['run', image, ...accel, '--serial', 'none']);
    expect(none.stdout).toBe('');
    expect(none.status).toBe(1);
  });

  it('startup errors exit 4 with one line and no stack trace', async () => {
    const dir = tempDir();
    const bad = join(dir, 'bad.elf');
    const img = new Uint8Array(64);
    new DataView(img.buffer).setUint32(0, 0x1badb002, true);
    writeFileSync(bad, img);
    for (const [args, message] of [
      [
        ['run', bad, ...accel],
        'multiboot: header checksum 0x0 does not make magic + flags + checksum zero (at offset 0x8)',
      ],
      [['run', join(dir, 'missing.bin'), ...accel], 'cannot read image'],
      [['run', bad, '--accel', join(dir, 'nope.mjs')], 'is unavailable: cannot load'],
      [['run', bad, ...accel, '-m', '1M'], 'outside the supported 2 MiB to 3072 MiB'],
      [['run', bad, ...accel, '--loadvm', join(dir, 'nope.snap')], ''],
    ] as const) {
      const r = await run([...args]);
      expect(r.status, r.stderr).toBe(4);
      expect(r.stderr).toContain(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('--debug adds the stack trace to startup errors', async () => {
    const r = await run(['run', join(tempDir(), 'missing.bin'), ...accel, '--debug']);
    expect(r.status).toBe(4);
    expect(r.stderr).toMatch(/\n\s+at /);
  });

  it('stops at --timeout with status 124', async () => {
    const image = scriptImage(tempDir(), 'wait.bin', 'waiting\n', Op.wait);
    const r = await run(['run', image, ...accel, '--timeout', '0.3']);
    expect(r.status).toBe(124);
    expect(r.stdout).toBe('waiting\n');
  });

  it('feeds stdin to the UART and quits on Ctrl-A x', async () => {
    const image = scriptImage(tempDir(), 'echo.bin', '>', Op.echo, Op.echo, Op.echo, Op.echo, Op.wait);
    const vm = start(['run', image, ...accel], { keepStdinOpen: true });
    vm.child.stdin!.write(Buffer.from([0x61, 0x01, 0x01, 0x62, 0x63])); // a, C-a C-a (a literal C-a), b, c
    await vm.waitFor('>a\x01bc');
    vm.child.stdin!.write(Buffer.from([0x01, 0x78]));
    const r = await vm.done;
    expect(r.stdout).toBe('>a\x01bc');
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('terminated by C-a x');
  });

  it('reboots on a guest reset, or exits with --no-reboot', async () => {
    const image = scriptImage(tempDir(), 'reset.bin', 'boot\n', Op.pause, Op.reset, Op.exit(1));
    const again = await run(['run', image, ...accel, '--timeout', '0.5', '--trace', 'reset']);
    expect(again.status).toBe(124);
    expect(again.stdout.split('boot\n').length - 1).toBeGreaterThanOrEqual(3);
    expect(again.stderr).toContain('trace: reset requested by keyboard controller 0xFE');
    const once = await run(['run', image, ...accel, '--no-reboot']);
    expect(once.stdout).toBe('boot\n');
    expect(once.status).toBe(0);
    expect(once.stderr).toContain('guest requested a reset (keyboard controller 0xFE)');
  });

  it('saves at exit and continues from the snapshot; snapshot info lists it; files are written atomically', async () => {
    const dir = tempDir();
    const image = scriptImage(dir, 'two.bin', 'one ', Op.echo, ' two\n', Op.exit(3));
    const snap = join(dir, 'mid.snap');
    const first = await run(['run', image, ...accel, '--timeout', '0.3', '--savevm-at-exit', snap]);
    expect(first.stdout).toBe('one ');
    expect(first.status).toBe(124);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
    const second = await run(['run', image, ...accel, '--loadvm', snap], { input: 'X' });
    expect(second.stdout).toBe('X two\n');
    expect(second.status).toBe(7);
    const info = await run(['snapshot', 'info', snap]);
    expect(info.status).toBe(0);
    expect(info.stdout).toContain('arch:      x86');
    expect(info.stdout).toContain('saved by:  script');
    for (const section of ['ram', 'cpu/0', 'pic', 'pit', 'com1', 'cmos', 'local-apic', 'fw-cfg'])
      expect(info.stdout).toContain(`  ${section} `);
    const json = JSON.parse((await run(['snapshot', 'info', snap, '--json'])).stdout);
    expect(json.sections.find((s: { name: string }) => s.name === 'cpu/0').version).toBe(1);
  });

  it('refuses damaged snapshots with a clear message, for info and for --loadvm', async () => {
    const dir = tempDir();
    const image = scriptImage(dir, 'w.bin', Op.wait);
    const snap = join(dir, 's.snap');
    await run(['run', image, ...accel, '--timeout', '0.1', '--savevm-at-exit', snap]);
    const bytes = readFileSync(snap);
    const corrupt = Buffer.from(bytes);
    corrupt[corrupt.length - 100] ^= 0xff;
    writeFileSync(join(dir, 'corrupt.snap'), corrupt);
    writeFileSync(join(dir, 'short.snap'), bytes.subarray(0, bytes.length - 10));
    writeFileSync(join(dir, 'foreign.snap'), 'hello');
    for (const [file, message] of [
      ['corrupt.snap', 'checksum mismatch'],
      ['short.snap', 'snapshot is truncated'],
      ['foreign.snap', 'not a tsvm snapshot'],
    ]) {
      const info = await run(['snapshot', 'info', join(dir, file)]);
      expect(info.status).toBe(4);
      expect(info.stderr).toContain(message);
      const load = await run(['run', image, ...accel, '--loadvm', join(dir, file)]);
      expect(load.status).toBe(4);
      expect(load.stderr).toContain(message);
    }
    // Another RAM size: a different machine.
    const other = await run(['run', image, ...accel, '-m', '64M', '--loadvm', snap]);
    expect(other.status).toBe(4);
    expect(other.stderr).toContain('snapshot is mismatch');
  });

  it('lists accelerators with their availability and reasons', async () => {
    const r = await run(['accels', SCRIPT_ACCEL]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^tcg\s+(available|unavailable)/m);
    expect(r.stdout).toMatch(/^kvm\s+(available|unavailable)/m);
    expect(r.stdout).toContain('available             test double');
    const json = JSON.parse((await run(['accels', '--json'])).stdout);
    expect(json.map((a: { name: string }) => a.name)).toEqual(['tcg', 'kvm']);
    for (const a of json) expect(a.reason.length).toBeGreaterThan(0);
  });

  it('ends cleanly on SIGTERM: socket removed, snapshot written, status 0', async () => {
    const dir = tempDir();
    const image = scriptImage(dir, 'w.bin', 'up\n', Op.wait);
    const sock = join(dir, 'c.sock');
    const snap = join(dir, 'term.snap');
    const vm = start(
      ['run', image, ...accel, '--qmp', `unix:${sock},server,wait=off`, '--savevm-at-exit', snap],
      {
        keepStdinOpen: true,
      },
    );
    await vm.waitFor('up\n');
    vm.child.kill('SIGTERM');
    const r = await vm.done;
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('terminating on signal SIGTERM');
    expect(existsSync(sock)).toBe(false);
    expect(existsSync(snap)).toBe(true);
  });

  it('leaves no QMP socket file behind', async () => {
    const dir = tempDir();
    const image = scriptImage(dir, 'x.bin', Op.exit(0));
    const sock = join(dir, 'c.sock');
    const r = await run(['run', image, ...accel, '--qmp', `unix:${sock},server,wait=off`]);
    expect(r.status).toBe(1);
    expect(existsSync(sock)).toBe(false);
  });

  it('keeps running while the console is a pipe that stays open', async () => {
    const image = scriptImage(tempDir(), 'e.bin', Op.echo, Op.exit(2));
    const vm = start(['run', image, ...accel], { keepStdinOpen: true });
    await new Promise((r) => setTimeout(r, 200));
    vm.child.stdin!.end('Z');
    const r = await vm.done;
    expect(r.stdout).toBe('Z');
    expect(r.status).toBe(5);
  });
});
