import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Op, SCRIPT_ACCEL, scriptImage, start, tempDir } from './harness.js';
import { QmpClient } from './qmp-client.js';

const accel = ['--accel', SCRIPT_ACCEL];

async function startWithQmp(...parts: (string | number[])[]) {
  const dir = tempDir();
  const image = scriptImage(dir, 'g.bin', ...parts);
  const sock = join(dir, 'qmp.sock');
  const vm = start(['run', image, ...accel, '--qmp', `unix:${sock},server,wait=off`], {
    keepStdinOpen: true,
  });
  const client = await QmpClient.connectWhenReady(sock);
  const greeting = (await client.next()) as { QMP: { version: unknown; capabilities: unknown[] } };
  return { dir, sock, vm, client, greeting };
}

const status = (s: string, running: boolean) => ({ return: { status: s, singlestep: false, running } });

describe('QMP', () => {
  it('greets, negotiates, then runs stop, cont, registers, snapshots, system_reset and quit', async () => {
    const { dir, sock, vm, client, greeting } = await startWithQmp('start\n', Op.echo, 'after\n', Op.wait);
    expect(greeting.QMP.capabilities).toEqual([]);
    expect(greeting.QMP.version).toMatchObject({
      qemu: { major: expect.any(Number) },
      package: expect.stringMatching(/^tsvm /),
    });
    expect(await client.execute('qmp_capabilities', undefined, 1)).toEqual({ return: {}, id: 1 });
    const names = ((await client.execute('query-commands')).return as { name: string }[]).map((c) => c.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'qmp_capabilities',
        'stop',
        'cont',
        'system_reset',
        'x-tsvm-savevm',
        'x-tsvm-loadvm',
        'quit',
      ]),
    );
    await vm.waitFor('start\n');
    expect(await client.execute('stop')).toEqual({ return: {} });
    expect(await client.execute('query-status')).toEqual(status('paused', false));
    const regs = (await client.execute('human-monitor-command', { 'command-line': 'info registers' })).return;
    // Waiting at the echo op: CS.base + EIP is the byte after "start\n" at 0x7c00 (read through synchronizeState).
    expect(regs).toContain('RIP=0000000000007c06');
    expect(regs).toMatch(/\r\n$/);
    const snap = join(dir, 'waiting.snap');
    const saved = (await client.execute('x-tsvm-savevm', { file: snap })).return as { bytes: number };
    expect(saved.bytes).toBeGreaterThan(1000);
    expect(existsSync(snap)).toBe(true);
    expect(await client.execute('cont')).toEqual({ return: {} });
    vm.child.stdin!.write('k');
    await vm.waitFor('kafter\n');
    // Back to the saved point: the guest waits for input again and prints 'after' once more.
    expect(await client.execute('x-tsvm-loadvm', { file: snap })).toEqual({ return: {} });
    vm.child.stdin!.write('j');
    await vm.waitFor('kafter\njafter\n');
    expect(await client.execute('system_reset')).toEqual({ return: {} });
    await vm.waitFor('jafter\nstart\n');
    expect(await client.execute('quit')).toEqual({ return: {} });
    const r = await vm.done;
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('start\nkafter\njafter\nstart\n');
    expect(client.events.map((e) => e.event)).toEqual(['STOP', 'RESUME', 'RESET', 'SHUTDOWN']);
    expect(client.events[0].data).toBeUndefined();
    expect(client.events[2].data).toEqual({ guest: false, reason: 'host-qmp-system-reset' });
    expect(client.events[3].data).toEqual({ guest: false, reason: 'host-qmp-quit' });
    for (const e of client.events) {
      expect(Math.abs(e.timestamp.seconds - Date.now() / 1000)).toBeLessThan(60);
      expect(e.timestamp.microseconds).toBeGreaterThanOrEqual(0);
      expect(e.timestamp.microseconds).toBeLessThan(1e6);
    }
    expect(existsSync(sock)).toBe(false);
  });

  it('answers commands before negotiation, and a second negotiation, with CommandNotFound', async () => {
    const { vm, client } = await startWithQmp('up\n', Op.wait);
    expect(await client.execute('query-status', undefined, 'early')).toEqual({
      error: { class: 'CommandNotFound', desc: "Expecting capabilities negotiation with 'qmp_capabilities'" },
      id: 'early',
    });
    // Not negotiated: no events either.
    expect(await client.execute('qmp_capabilities', { enable: ['oob'] })).toEqual({
      error: { class: 'GenericError', desc: "Capability 'oob' not available" },
    });
    expect(await client.execute('qmp_capabilities')).toEqual({ return: {} });
    expect(await client.execute('qmp_capabilities')).toEqual({
      error: {
        class: 'CommandNotFound',
        desc: 'Capabilities negotiation is already complete, command ignored',
      },
    });
    await client.execute('quit');
    expect((await vm.done).status).toBe(0);
  });

  it('survives abuse: malformed JSON, unknown commands, bad arguments, huge input, disconnects, 100 clients', async () => {
    const { sock, vm, client } = await startWithQmp('up\n', Op.wait);
    await client.execute('qmp_capabilities');
    await vm.waitFor('up\n');
    const error = async () => ((await client.next()) as { error: { class: string; desc: string } }).error;
    client.sendRaw('{"execute": ]\n');
    expect(await error()).toEqual({
      class: 'GenericError',
      desc: expect.stringMatching(/^JSON parse error, /),
    });
    client.sendRaw('not json\n');
    expect(await error()).toEqual({ class: 'GenericError', desc: "JSON parse error, invalid keyword 'not'" });
    expect(await error()).toEqual({
      class: 'GenericError',
      desc: "JSON parse error, invalid keyword 'json'",
    });
    client.sendRaw('}\n');
    expect(await error()).toEqual({ class: 'GenericError', desc: 'JSON parse error, expecting value' });
    client.sendRaw('[1,2,3]\n');
    expect((await error()).desc).toBe('QMP input must be a JSON object');
    client.sendRaw('{"exec": "stop"}');
    expect((await error()).desc).toBe("QMP input member 'exec' is unexpected");
    client.sendRaw('{"id": 3}');
    expect((await error()).desc).toBe("QMP input lacks member 'execute'");
    client.sendRaw('{"execute": 1}{"execute": "cont", "arguments": [1]}');
    expect((await error()).desc).toBe("QMP input member 'execute' must be a string");
    expect((await error()).desc).toBe("QMP input member 'arguments' must be an object");
    expect(await client.execute('format_disk', undefined, 7)).toEqual({
      error: { class: 'CommandNotFound', desc: 'The command format_disk has not been found' },
      id: 7,
    });
    expect((await client.execute('cont', { now: true })).error?.desc).toBe("Parameter 'now' is unexpected");
    expect((await client.execute('x-tsvm-savevm')).error?.desc).toBe("Parameter 'file' is missing");
    expect((await client.execute('x-tsvm-savevm', { file: 3 })).error?.desc).toBe(
      "Parameter 'file' expects string",
    );
    expect(
      (await client.execute('x-tsvm-savevm', { file: '/nonexistent-dir/x.snap' })).error?.desc,
    ).toContain('cannot write snapshot');
    expect((await client.execute('x-tsvm-loadvm', { file: '/nonexistent.snap' })).error?.desc).toContain(
      'cannot read snapshot',
    );
    // The ACPI power button: pressed, announced; this guest has no ACPI driver and runs on.
    const powerdown = client.waitEvent('POWERDOWN');
    expect(await client.execute('system_powerdown')).toEqual({ return: {} });
    expect((await powerdown).timestamp).toEqual({
      seconds: expect.any(Number),
      microseconds: expect.any(Number),
    });
    expect((await client.execute('human-monitor-command', { 'command-line': 'info bogus' })).return).toBe(
      "unknown command: 'info bogus'\r\n",
    );
    client.sendRaw(`{"execute":"quit","id":1,"pad":"${'x'.repeat(200_000)}"}\n`);
    expect((await error()).desc).toBe('request longer than 65536 bytes; the rest of its line is ignored');
    client.sendRaw(`${'['.repeat(100)}\n`);
    expect((await error()).desc).toBe('JSON parse error, nesting deeper than 64 levels');
    // The tail of the huge line was skipped, not executed: the VM still runs, and the next request works.
    client.sendRaw('{"execute":"query-status","id":"after-huge"}');
    expect(await client.next()).toEqual({ ...status('running', true), id: 'after-huge' });
    // A client that disconnects in the middle of a request, and one that leaves before its reply.
    const half = await QmpClient.connect(sock);
    half.sendRaw('{"execute":"qmp_capabilities"}{"execute":"qu');
    half.close();
    const impatient = await QmpClient.connect(sock);
    impatient.sendRaw(
      '{"execute":"qmp_capabilities"}{"execute":"human-monitor-command","arguments":{"command-line":"info registers"}}',
    );
    impatient.close();
    for (let i = 0; i < 100; i++) {
      const c = await QmpClient.connect(sock);
      await c.next(); // greeting
      if (i % 3 === 0) c.sendRaw('not-json\n');
      else if (i % 3 === 1) c.sendRaw('{"execute":"query-status"}');
      else c.sendRaw('{"execute":"qmp_capabilities"}{"execute":"query-status"}');
      const reply = (await c.next()) as { return?: unknown; error?: { class: string } };
      if (i % 3 === 0) expect(reply.error?.class).toBe('GenericError');
      else if (i % 3 === 1) expect(reply.error?.class).toBe('CommandNotFound');
      else expect(await c.next()).toEqual(status('running', true));
      c.close();
    }
    expect(await client.execute('query-status')).toEqual(status('running', true));
    expect(vm.child.exitCode).toBe(null);
    await client.execute('quit');
    expect((await vm.done).status).toBe(0);
  });

  it('sends RESET with guest: true when the guest resets, and -S starts in prelaunch', async () => {
    const dir = tempDir();
    const image = scriptImage(dir, 'g.bin', 'boot\n', Op.pause, Op.pause, Op.reset);
    const sock = join(dir, 'qmp.sock');
    const vm = start(['run', image, ...accel, '-qmp', `unix:${sock},server=on,wait=off`, '-S']);
    const client = await QmpClient.session(sock);
    expect(await client.execute('query-status')).toEqual(status('prelaunch', false));
    expect(await client.execute('human-monitor-command', { 'command-line': 'info status' })).toEqual({
      return: 'VM status: paused (prelaunch)\r\n',
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(vm.stdout()).toBe('');
    const reset = client.waitEvent('RESET');
    await client.execute('cont');
    expect((await reset).data).toEqual({ guest: true, reason: 'guest-reset' });
    await vm.waitFor('boot\nboot\n');
    await client.execute('quit');
    expect((await vm.done).status).toBe(0);
    expect(client.events.map((e) => e.event).slice(0, 2)).toEqual(['RESUME', 'RESET']);
  });

  it('with wait=on holds the guest until a client connects; also listens on TCP', async () => {
    const dir = tempDir();
    const image = scriptImage(dir, 'g.bin', 'hello\n', Op.wait);
    const port = 20000 + (process.pid % 20000);
    const vm = start(['run', image, ...accel, '--qmp', `tcp:127.0.0.1:${port},server`]);
    for (let i = 0; i < 400 && !vm.stderr().includes('waiting for a QMP client'); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(vm.stderr()).toContain(`waiting for a QMP client on 127.0.0.1:${port}`);
    await new Promise((r) => setTimeout(r, 200));
    expect(vm.stdout()).toBe('');
    const client = await QmpClient.session({ host: '127.0.0.1', port });
    await vm.waitFor('hello\n');
    await client.execute('quit');
    const r = await vm.done;
    expect(r.stdout).toBe('hello\n');
    expect(r.status).toBe(0);
  });

  it('reports a guest exit as SHUTDOWN with guest: true', async () => {
    const dir = tempDir();
    const image = scriptImage(dir, 'g.bin', 'hello\n', Op.exit(3));
    const sock = join(dir, 'qmp.sock');
    const vm = start(['run', image, ...accel, '--qmp', `unix:${sock},server,wait=off`, '-S']);
    const client = await QmpClient.session(sock);
    const shutdown = client.waitEvent('SHUTDOWN');
    await client.execute('cont');
    expect((await shutdown).data).toEqual({ guest: true, reason: 'guest-shutdown' });
    const r = await vm.done;
    expect(r.stdout).toBe('hello\n');
    expect(r.status).toBe(7);
  });

  it('refuses bad addresses and a path that is not a socket', async () => {
    const dir = tempDir();
    const image = scriptImage(dir, 'g.bin', Op.exit(0));
    let r = await start(['run', image, ...accel, '--qmp', `unix:${image},server,wait=off`]).done;
    expect(r.status).toBe(4);
    expect(r.stderr).toContain('exists and is not a socket');
    r = await start(['run', image, ...accel, '--qmp', 'stdio']).done;
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--qmp: 'stdio' is not unix:PATH or tcp:[HOST]:PORT");
    r = await start(['run', image, ...accel, '--qmp', 'tcp::99999']).done;
    expect(r.stderr).toContain('port 99999 is out of range');
    r = await start(['run', image, ...accel, '--qmp', `unix:${dir}/s,server,telnet`]).done;
    expect(r.stderr).toContain("--qmp: unknown socket option 'telnet'");
    expect(r.status).toBe(2);
  });
});
