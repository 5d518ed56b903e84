import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { debianTool } from './debian-tools.js';
import { CLI, start, tempDir } from './harness.js';
import { QmpClient, type QmpEvent } from './qmp-client.js';

// One QMP session script against the reference implementation (QEMU) and against tsvm on each
// accelerator: the replies and events must agree in shape (keys and value types), and in the
// values that carry meaning (error classes, run states, event names and their data).

const qemu = debianTool('qemu-system-i386', 'qemu-system-x86');
if ('skip' in qemu) console.warn(`[skip] QMP comparison with QEMU: ${qemu.skip}`);
const accels: { name: string; available: boolean; reason: string }[] = JSON.parse(
  execFileSync(process.execPath, [CLI, 'accels', '--json'], { encoding: 'utf8' }),
);
for (const a of accels)
  if (!a.available) console.warn(`[skip] QMP comparison on ${a.name}: ${a.name} is unavailable: ${a.reason}`);

/** A value's shape: types for data, the value itself where the protocol gives it meaning. */
function shape(v: unknown, key = ''): unknown {
  if (['class', 'event', 'status', 'running', 'guest', 'reason', 'singlestep'].includes(key)) return v;
  // QEMU offers out-of-band execution; tsvm offers no optional capability (an empty list says so).
  if (key === 'capabilities') return Array.isArray(v) ? 'array' : typeof v;
  if (Array.isArray(v)) return v.length === 0 ? ['empty'] : [shape(v[0])];
  if (v !== null && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) o[k] = shape(v[k as keyof typeof v], k);
    return o;
  }
  return typeof v;
}

interface Step {
  readonly send: string;
  /** Events this step must raise (waited for), in order. */
  readonly events?: readonly string[];
}

const SCRIPT: readonly Step[] = [
  { send: '{"execute": "query-status", "id": "before"}' },
  { send: '{"execute": "qmp_capabilities"}' },
  { send: '{"execute": "qmp_capabilities", "id": 2}' },
  { send: '{"execute": "no-such-command", "id": 3}' },
  { send: '{"execute": ]' },
  { send: '[1]' },
  { send: '{"execute": "cont", "arguments": {"bogus": 1}}' },
  { send: '{"execute": "query-status"}' },
  { send: '{"execute": "cont"}', events: ['RESUME'] },
  { send: '{"execute": "query-status"}' },
  { send: '{"execute": "stop"}', events: ['STOP'] },
  { send: '{"execute": "query-status"}' },
  { send: '{"execute": "stop"}' },
  { send: '{"execute": "cont"}', events: ['RESUME'] },
  { send: '{"execute": "query-status"}' },
  { send: '{"execute": "system_reset"}', events: ['RESET'] },
  { send: '{"execute": "system_powerdown"}', events: ['POWERDOWN'] },
  { send: '{"execute": "query-version"}' },
  { send: '{"execute": "query-cpus-fast"}' },
  { send: '{"execute": "query-commands"}' },
  { send: '{"execute": "human-monitor-command", "arguments": {"command-line": "info status"}}' },
  { send: '{"execute": "human-monitor-command", "arguments": {}}' },
  { send: '{"execute": "quit", "id": "bye"}', events: ['SHUTDOWN'] },
];

interface Transcript {
  greeting: unknown;
  steps: { reply: unknown; events: unknown[] }[];
}

async function runScript(client: QmpClient): Promise<Transcript> {
  const greeting = shape(await client.next());
  const steps: Transcript['steps'] = [];
  for (const step of SCRIPT) {
    const waits = (step.events ?? []).map((e) => client.waitEvent(e, 15_000));
    const seen = client.events.length;
    client.sendRaw(`${step.send}\n`);
    const reply = shape(await client.next(15_000));
    const events = (await Promise.all(waits)) as QmpEvent[];
    // Any event beyond the awaited ones counts too (none is expected).
    await new Promise((r) => setTimeout(r, 50));
    const all = client.events.slice(seen);
    expect({ step: step.send, events: all.map((e) => e.event) }).toEqual({
      step: step.send,
      events: events.map((e) => e.event),
    });
    steps.push({ reply, events: all.map((e) => shape(e)) });
  }
  return { greeting, steps };
}

/**
 * A 64 KiB firmware that idles at the reset vector (sti; hlt; jmp back): QEMU's -bios and tsvm's
 * --rom alike, so no real BIOS adds events (SeaBIOS reboots once more after a reset).
 */
function idleFirmware(dir: string): string {
  const rom = new Uint8Array(0x10000);
  rom.set([0xfb, 0xf4, 0xeb, 0xfd], 0xfff0);
  const path = join(dir, 'idle.rom');
  writeFileSync(path, rom);
  return path;
}

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

describe('QMP agrees with QEMU', () => {
  let reference: Transcript | undefined;
  let dir: string;
  let image: string;
  beforeAll(async () => {
    dir = tempDir();
    image = idleFirmware(dir);
    if ('skip' in qemu) return;
    const sock = join(dir, 'qemu.sock');
    const child = spawn(
      qemu.path,
      [
        '-display',
        'none',
        '-nodefaults',
        '-serial',
        'none',
        '-monitor',
        'none',
        '-S',
        '-qmp',
        `unix:${sock},server=on,wait=off`,
        '-bios',
        image,
      ],
      { stdio: 'ignore' },
    );
    children.push(child);
    const exited = new Promise((r) => child.once('exit', r));
    const client = await QmpClient.connectWhenReady(sock);
    reference = await runScript(client);
    await exited;
  }, 60_000);

  for (const accel of ['tcg', 'kvm']) {
    const usable = accels.find((a) => a.name === accel)?.available ?? false;
    it.skipIf('skip' in qemu || !usable)(
      `tsvm --accel ${accel}: same greeting, replies and events`,
      async () => {
        const sock = join(dir, `${accel}.sock`);
        const vm = start([
          'run',
          '--rom',
          image,
          '--accel',
          accel,
          '-S',
          '-qmp',
          `unix:${sock},server=on,wait=off`,
        ]);
        const client = await QmpClient.connectWhenReady(sock);
        const transcript = await runScript(client);
        expect((await vm.done).status).toBe(0);
        expect(transcript.greeting).toEqual(reference!.greeting);
        SCRIPT.forEach((step, k) => {
          expect({ step: step.send, ...transcript.steps[k] }).toEqual({
            step: step.send,
            ...reference!.steps[k],
          });
        });
      },
      60_000,
    );
  }
});
