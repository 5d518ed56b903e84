import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ControlClient } from './control-client.js';
import { Op, SCRIPT_ACCEL, scriptImage, start, tempDir } from './harness.js';

const accel = ['--accel', SCRIPT_ACCEL];

async function startWithControl(...parts: (string | number[])[]) {
  const dir = tempDir();
  const image = scriptImage(dir, 'g.bin', ...parts);
  const sock = join(dir, 'control.sock');
  const vm = start(['run', image, ...accel, '--control', `unix:${sock}`], { keepStdinOpen: true });
  const client = await ControlClient.connectWhenReady(sock);
  const greeting = (await client.next()) as { tsvm: { version: string }; commands: string[] };
  return { dir, sock, vm, client, greeting };
}

describe('control socket', () => {
  it('greets, then runs stop, cont, info_registers, savevm, loadvm, system_reset and quit', async () => {
    const { dir, sock, vm, client, greeting } = await startWithControl(
      'start\n',
      Op.echo,
      'after\n',
      Op.wait,
    );
    expect(greeting.commands).toEqual(
      expect.arrayContaining(['stop', 'cont', 'system_reset', 'savevm', 'loadvm', 'info_registers', 'quit']),
    );
    await vm.waitFor('start\n');
    expect(await client.execute('stop')).toEqual({ return: {} });
    expect(await client.execute('query_status')).toEqual({ return: { running: false, phase: 'paused' } });
    const regs = (await client.execute('info_registers')) as { return: { text: string; rip: string } };
    // Waiting at the echo op: CS.base + EIP is the byte after "start\n" at 0x7c00.
    expect(regs.return.rip).toBe(`0x${(0x7c00 + 6).toString(16)}`);
    expect(regs.return.text).toContain('RIP=0000000000007c06');
    const snap = join(dir, 'waiting.snap');
    const saved = (await client.execute('savevm', { file: snap })) as { return: { bytes: number } };
    expect(saved.return.bytes).toBeGreaterThan(1000);
    expect(existsSync(snap)).toBe(true);
    expect(await client.execute('cont')).toEqual({ return: {} });
    vm.child.stdin!.write('k');
    await vm.waitFor('kafter\n');
    // Back to the saved point: the guest waits for input again and prints 'after' once more.
    expect(await client.execute('loadvm', { file: snap })).toEqual({ return: { file: snap } });
    vm.child.stdin!.write('j');
    await vm.waitFor('kafter\njafter\n');
    expect(await client.execute('system_reset')).toEqual({ return: {} });
    await vm.waitFor('jafter\nstart\n');
    expect(await client.execute('quit')).toEqual({ return: {} });
    const r = await vm.done;
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('start\nkafter\njafter\nstart\n');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(client.events.map((e) => e.event)).toEqual(['STOP', 'RESUME', 'RESET', 'SHUTDOWN']);
    expect(client.events[2].data).toEqual({ guest: false, reason: 'host-qmp-system-reset' });
    expect(client.events[3].data).toEqual({ reason: 'quit' });
    expect(existsSync(sock)).toBe(false);
  });

  it('survives abuse: malformed JSON, unknown commands, bad arguments, huge lines, disconnects, 100 clients', async () => {
    const { sock, vm, client } = await startWithControl('up\n', Op.wait);
    await vm.waitFor('up\n');
    client.sendRaw('{"execute": \n');
    expect(((await client.next()) as { error: { desc: string } }).error.desc).toMatch(/^malformed JSON/);
    client.sendRaw('[1,2,3]\n');
    expect(((await client.next()) as { error: { desc: string } }).error.desc).toContain(
      'string "execute" member',
    );
    expect((await client.execute('format_disk')).error).toEqual({
      class: 'CommandNotFound',
      desc: "the command 'format_disk' does not exist",
    });
    expect((await client.execute('savevm')).error?.desc).toBe('argument "file" (a path) is required');
    expect((await client.execute('savevm', { file: '/nonexistent-dir/x.snap' })).error?.desc).toContain(
      'cannot write snapshot',
    );
    expect((await client.execute('loadvm', { file: '/nonexistent.snap' })).error?.desc).toContain(
      'cannot read snapshot',
    );
    client.sendRaw(`{"execute":"quit","id":1,"pad":"${'x'.repeat(200_000)}"}\n`);
    expect(((await client.next()) as { error: { desc: string } }).error.desc).toContain(
      'request line longer than 65536 bytes',
    );
    // The tail of the huge line was skipped, not executed: the VM still runs, and the next line works.
    client.sendRaw('{"execute":"query_status","id":"after-huge"}\n');
    expect(await client.next()).toEqual({ return: { running: true, phase: 'running' }, id: 'after-huge' });
    // A client that disconnects in the middle of a command line, and one that leaves before its reply.
    const half = await ControlClient.connect(sock);
    half.sendRaw('{"execute":"qu');
    half.close();
    const impatient = await ControlClient.connect(sock);
    impatient.sendRaw('{"execute":"info_registers"}\n');
    impatient.close();
    for (let i = 0; i < 100; i++) {
      const c = await ControlClient.connect(sock);
      await c.next(); // greeting
      if (i % 2) c.sendRaw('not json\n');
      else c.sendRaw('{"execute":"query_status"}\n');
      const reply = (await c.next()) as { return?: { running: boolean }; error?: unknown };
      if (i % 2) expect(reply.error).toBeDefined();
      else expect(reply.return?.running).toBe(true);
      c.close();
    }
    expect(await client.execute('query_status')).toEqual({ return: { running: true, phase: 'running' } });
    expect(vm.child.exitCode).toBe(null);
    await client.execute('quit');
    expect((await vm.done).status).toBe(0);
  });

  it('sends a RESET event naming the source when the guest resets', async () => {
    const { vm, client } = await startWithControl('boot\n', Op.pause, Op.pause, Op.reset);
    await vm.waitFor('boot\nboot\n');
    await client.execute('stop');
    const reset = client.events.find((e) => e.event === 'RESET');
    expect(reset?.data).toEqual({ guest: true, reason: 'keyboard controller 0xFE' });
    await client.execute('quit');
    expect((await vm.done).status).toBe(0);
  });

  it('refuses a control path that is not a socket', async () => {
    const dir = tempDir();
    const image = scriptImage(dir, 'g.bin', Op.exit(0));
    const vm = start(['run', image, ...accel, '--control', `unix:${image}`]);
    const r = await vm.done;
    expect(r.status).toBe(4);
    expect(r.stderr).toContain('exists and is not a socket');
  });
});
