import { execFileSync } from 'node:child_process';
import { createConnection, type Socket } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checksum, framePacket } from '../src/gdb/rsp-framing.js';
import { CLI, Op, REPO, SCRIPT_ACCEL, scriptImage, start, tempDir } from './harness.js';

// The stub's protocol edges, spoken raw: what gdb itself never sends wrong.

const GUEST = join(REPO, 'packages/cli/test/guests/gdbguest.elf');

class RspClient {
  private buffer = '';
  private waiting: (() => void)[] = [];
  acks = '';

  private constructor(readonly socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      this.buffer += d;
      for (const w of this.waiting.splice(0)) w();
    });
  }

  static async connect(port: number): Promise<RspClient> {
    for (let i = 0; ; i++) {
      try {
        return await new Promise((resolve, reject) => {
          const s = createConnection(port, '127.0.0.1', () => resolve(new RspClient(s)));
          s.once('error', reject);
        });
      } catch (e) {
        if (i > 400) throw e;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  /** The next packet's payload (acks before it are collected in `acks`). */
  async packet(): Promise<string> {
    for (;;) {
      const m = /^([+-]*)\$([^#]*)#([0-9a-f]{2})/.exec(this.buffer);
      if (m) {
        this.acks += m[1];
        this.buffer = this.buffer.slice(m[0].length);
        expect(Number.parseInt(m[3], 16)).toBe(checksum(m[2]));
        return m[2];
      }
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no packet; have '${this.buffer}'`)), 20_000);
        this.waiting.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async ask(data: string): Promise<string> {
    this.socket.write(framePacket(data));
    return this.packet();
  }

  async ackOf(raw: string): Promise<string> {
    this.socket.write(raw);
    for (let i = 0; i < 200 && !/^[+-]/.test(this.buffer); i++) await new Promise((r) => setTimeout(r, 10));
    const a = this.buffer[0];
    this.buffer = this.buffer.slice(1);
    return a;
  }
}

let port = 29000 + (process.pid % 6000);
const ACCELS = ['tcg', 'kvm'];
const accels: { name: string; available: boolean; reason: string }[] = JSON.parse(
  execFileSync(process.execPath, [CLI, 'accels', '--json'], { encoding: 'utf8' }),
);
const usable = (name: string) => accels.find((a) => a.name === name)?.available ?? false;
for (const a of accels) if (!a.available) console.warn(`[skip] gdb protocol on ${a.name}: ${a.reason}`);

describe('gdb stub protocol', () => {
  it('answers queries, target.xml, bad packets, unmapped memory, Ctrl-C, and kills', async () => {
    const p = port++;
    // -S: with the block compiler the guest can finish before a client connects.
    const vm = start(['run', GUEST, '--accel', 'tcg', '--gdb', `${p}`, '-S', '--append', 'tsc']);
    const c = await RspClient.connect(p);
    expect(await c.ask('qSupported:multiprocess+;xmlRegisters=i386')).toBe(
      'PacketSize=4000;qXfer:features:read+;vContSupported+',
    );
    expect(await c.ask('?')).toBe('S05');
    let xml = '';
    for (let off = 0; ; off += 0x200) {
      const r = await c.ask(`qXfer:features:read:target.xml:${off.toString(16)},200`);
      xml += r.slice(1);
      if (r[0] === 'l') break;
      expect(r[0]).toBe('m');
    }
    expect(xml).toContain('<architecture>i386</architecture>');
    expect(xml).toContain('<feature name="org.gnu.gdb.i386.core">');
    expect(xml.match(/<reg /g)).toHaveLength(41);
    expect(await c.ask('qXfer:features:read:other.xml:0,100')).toBe('E00');
    expect(await c.ask('qXfer:features:read:target.xml:zz')).toBe('E16');
    // Registers: 8 GPRs, EIP, EFLAGS, 6 segments, 8 x 10-byte ST, 8 FPU words, 8 XMM, MXCSR.
    const g = await c.ask('g');
    expect(g.length).toBe(2 * (16 * 4 + 8 * 10 + 8 * 4 + 8 * 16 + 4));
    expect(await c.ask('p8')).toBe(g.slice(64, 72));
    expect(await c.ask('p99')).toBe('E16');
    expect(await c.ask('P0=zz')).toBe('E16');
    expect(await c.ask('P0=1234')).toBe('E16'); // EAX is 4 bytes
    // A protected-mode selector cannot be changed without loading its descriptor.
    expect(await c.ask('Pa=18000000')).toBe('E16');
    expect(await c.ask('Pa=08000000')).toBe('OK');
    expect(await c.ask('m0,4000')).toBe('E16'); // more than a packet can carry
    expect(await c.ask('mfee00000,4')).toBe('E0e'); // the local APIC: MMIO is not read by a debugger
    expect(await c.ask('m7fffff00,4')).toBe('E0e'); // nothing there
    expect(await c.ask('M100000,2:41')).toBe('E16'); // length and data disagree
    expect(await c.ask('Z9,100000,1')).toBe('');
    expect(await c.ask('Z2,100000,zz')).toBe('E16');
    expect(await c.ask('vMustReplyEmpty')).toBe('');
    expect(await c.ask('X100000,0:')).toBe('');
    expect(await c.ask('qRcmd,' + Buffer.from('phys on').toString('hex'))).toBe(
      Buffer.from('memory addresses are now physical\n').toString('hex'),
    );
    expect(await c.ask('qqemu.PhyMemMode')).toBe('1');
    expect(await c.ask('Qqemu.PhyMemMode:0')).toBe('OK');
    expect(
      Buffer.from(await c.ask('qRcmd,' + Buffer.from('frob').toString('hex')), 'hex').toString(),
    ).toContain("unknown monitor command 'frob'");
    // A corrupted checksum is refused with '-' and not executed.
    expect(await c.ackOf('$k#00')).toBe('-');
    expect(await c.ask('qC')).toBe('QC1');
    c.socket.write(framePacket('k'));
    const r = await vm.done;
    expect(r.status).toBe(0);
    // Killed before its first instruction (-S): the guest printed nothing.
    expect(r.stdout).toBe('');
  }, 60_000);

  it.each(ACCELS.filter(usable))(
    'on %s: stops a spinning guest on Ctrl-C (SIGINT), then single-steps it in place',
    async (accel) => {
      const p = port++;
      const image = scriptImage(tempDir(), 'spin.bin', [0xeb, 0xfe]); // jmp $ at 0x7c00, real mode
      const vm = start(['run', image, '--accel', accel, '-gdb', `tcp::${p}`, '-S']);
      const c = await RspClient.connect(p);
      expect(await c.ask('?')).toBe('S05');
      c.socket.write(framePacket('vCont;c'));
      await new Promise((r) => setTimeout(r, 300));
      c.socket.write('\x03');
      expect(await c.packet()).toBe('S02');
      expect(await c.ask('p8')).toBe('007c0000');
      expect(await c.ask('vCont;s:1')).toBe('S05');
      expect(await c.ask('p8')).toBe('007c0000');
      expect(await c.ask('D')).toBe('OK');
      await new Promise((r) => setTimeout(r, 100));
      vm.child.kill('SIGTERM');
      expect((await vm.done).status).toBe(0);
    },
    60_000,
  );

  it('refuses --gdb on an accelerator without the debug capability, and bad addresses', async () => {
    const dir = tempDir();
    const image = scriptImage(dir, 'g.bin', Op.exit(0));
    let r = await start(['run', image, '--accel', SCRIPT_ACCEL, '--gdb', `tcp::${port++}`]).done;
    expect(r.status).toBe(4);
    expect(r.stderr).toContain(
      "--gdb: accelerator 'script' offers no debug capability (breakpoints, single-step)",
    );
    r = await start(['run', image, '--accel', SCRIPT_ACCEL, '--gdb', 'serial']).done;
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--gdb: 'serial' is not unix:PATH or tcp:[HOST]:PORT");
  });
});
