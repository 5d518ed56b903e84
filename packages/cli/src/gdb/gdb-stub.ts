import type { X86CpuState } from '@tsvm/arch-x86';
import type { DebugExit, GuestBreakpointKind } from '@tsvm/core';
import type { DebugTarget } from './debug-target.js';
import { MAX_PACKET_BYTES } from './rsp-framing.js';
import { type TargetDescription, targetXml } from './target-description.js';

const SIGINT = 2;
const SIGTRAP = 5;

const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const fromHex = (s: string) =>
  /^(?:[0-9a-fA-F]{2})*$/.test(s) ? new Uint8Array(Buffer.from(s, 'hex')) : undefined;
const hex2 = (n: number) => n.toString(16).padStart(2, '0');

/** Z/z packet types → breakpoint kinds. */
const Z_KINDS: Record<string, GuestBreakpointKind> = {
  '0': 'software',
  '1': 'hardware',
  '2': 'write',
  '3': 'read',
  '4': 'access',
};
const WATCH_STOP = { write: 'watch', read: 'rwatch', access: 'awatch' } as const;

/** Errors as gdb expects them: `Exx` with an errno-like number. */
const E_INVALID = 'E16';
const E_FAULT = 'E0e';

/**
 * The GDB remote protocol's commands over a `DebugTarget`: one debugger, one vCPU (thread 1).
 * `reply` sends a packet; `stopReply` is sent when a resumed vCPU stops again.
 */
export class GdbStub {
  private readonly xml: string;
  /** The vCPU was resumed by `c`/`s` and a stop reply is owed. */
  private waitingForStop = false;
  private lastSignal = SIGTRAP;
  private lastStop = 'S05';

  constructor(
    private readonly target: DebugTarget,
    private readonly description: TargetDescription<X86CpuState>,
    private readonly reply: (data: string) => void,
    private readonly end: (action: 'kill' | 'detach') => void,
  ) {
    this.xml = targetXml(description);
    target.onStop((exit) => this.stopped(exit));
  }

  /** The debugger attached: the vCPU stops for it, as under QEMU. */
  async attach(): Promise<void> {
    await this.target.halt();
  }

  /** Ctrl-C from the debugger: stop the vCPU and report SIGINT. */
  async interrupt(): Promise<void> {
    if (!this.waitingForStop) return;
    await this.target.halt();
    this.stopped(undefined);
  }

  /** The VM ended while the debugger was attached: `W` with the exit status. */
  exited(status: number): void {
    this.waitingForStop = false;
    this.reply(`W${hex2(status & 0xff)}`);
  }

  private stopped(exit: DebugExit | undefined): void {
    if (!this.waitingForStop) return;
    this.waitingForStop = false;
    if (!exit) {
      this.lastSignal = SIGINT;
      this.lastStop = `S${hex2(SIGINT)}`;
    } else if (exit.reason === 'watchpoint' && exit.dataAddress !== undefined) {
      this.lastSignal = SIGTRAP;
      this.lastStop = `T${hex2(SIGTRAP)}${WATCH_STOP[exit.watchKind ?? 'write']}:${exit.dataAddress.toString(16)};`;
    } else {
      this.lastSignal = SIGTRAP;
      this.lastStop = `S${hex2(SIGTRAP)}`;
    }
    this.reply(this.lastStop);
  }

  /** Handle one packet. Replies go through `reply` (resume commands reply later, on the stop). */
  async handle(packet: string): Promise<void> {
    const r = await this.answer(packet);
    if (r !== undefined) this.reply(r);
  }

  private async answer(p: string): Promise<string | undefined> {
    const t = this.target;
    const c = p[0];
    switch (c) {
      case '?':
        return this.lastStop;
      case 'g':
        return t.withState((s) => this.description.registers.map((r) => toHex(r.read(s))).join(''));
      case 'G': {
        const bytes = fromHex(p.slice(1));
        if (!bytes) return E_INVALID;
        return t.withState((s) => {
          let offset = 0;
          for (const r of this.description.registers) {
            const n = r.bits / 8;
            if (offset + n > bytes.length) break; // gdb may send fewer registers than it knows
            if (r.write(s, bytes.subarray(offset, offset + n))) return E_INVALID;
            offset += n;
          }
          return 'OK';
        });
      }
      case 'p': {
        const r = this.description.registers[Number.parseInt(p.slice(1), 16)];
        if (!r) return E_INVALID;
        return t.withState((s) => toHex(r.read(s)));
      }
      case 'P': {
        const m = /^P([0-9a-fA-F]+)=([0-9a-fA-F]*)$/.exec(p);
        const r = m ? this.description.registers[Number.parseInt(m[1], 16)] : undefined;
        const bytes = m ? fromHex(m[2]) : undefined;
        if (!r || !bytes || bytes.length !== r.bits / 8) return E_INVALID;
        return t.withState((s) => (r.write(s, bytes) ? E_INVALID : 'OK'));
      }
      case 'm': {
        const m = /^m([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(p);
        if (!m) return E_INVALID;
        const length = Number.parseInt(m[2], 16);
        if (length > MAX_PACKET_BYTES / 2) return E_INVALID;
        const bytes = await t.readMemory(Number.parseInt(m[1], 16), length);
        return bytes ? toHex(bytes) : E_FAULT;
      }
      case 'M': {
        const m = /^M([0-9a-fA-F]+),([0-9a-fA-F]+):([0-9a-fA-F]*)$/.exec(p);
        const bytes = m ? fromHex(m[3]) : undefined;
        if (!m || !bytes || bytes.length !== Number.parseInt(m[2], 16)) return E_INVALID;
        return (await t.writeMemory(Number.parseInt(m[1], 16), bytes)) ? 'OK' : E_FAULT;
      }
      case 'c':
      case 's':
      case 'C':
      case 'S':
        return this.resume(c.toLowerCase() === 's', c === 'c' || c === 's' ? p.slice(1) : p.split(';')[1]);
      case 'v':
        return this.verbose(p);
      case 'Z':
      case 'z': {
        if (!/^[Zz][0-4],/.test(p)) return ''; // a breakpoint type we do not know: "not supported"
        const m = /^[Zz]([0-4]),([0-9a-fA-F]+),([0-9a-fA-F]+)/.exec(p);
        if (!m) return E_INVALID;
        const kind = Z_KINDS[m[1]];
        const address = Number.parseInt(m[2], 16);
        // For instruction breakpoints the third field is gdb's "kind" (x86: 1), not a length.
        const length = m[1] === '0' || m[1] === '1' ? 1 : Number.parseInt(m[3], 16);
        if (c === 'z') {
          t.removeBreakpoint({ kind, address, length });
          return 'OK';
        }
        const problem = t.addBreakpoint({ kind, address, length });
        // Empty means "not supported" (gdb then tries another way); other refusals are errors.
        if (problem) return /has no/.test(problem) ? '' : E_INVALID;
        return 'OK';
      }
      case 'H':
        return 'OK';
      case 'T':
        return p === 'T1' || p === 'Tp1.1' ? 'OK' : E_INVALID;
      case 'k':
        this.end('kill');
        return undefined;
      case 'D':
        this.target.release();
        this.reply('OK'); // before the connection closes
        this.end('detach');
        return undefined;
      case 'q':
      case 'Q':
        return this.query(p);
      default:
        return '';
    }
  }

  private resume(step: boolean, address: string | undefined): string | undefined {
    const go = () => {
      this.waitingForStop = true;
      this.target.resume(step);
    };
    if (address) {
      const a = Number.parseInt(address, 16);
      if (Number.isNaN(a)) return E_INVALID;
      void this.target
        .withState((s) => {
          s.eip = a >>> 0;
        })
        .then(go);
      return undefined;
    }
    go();
    return undefined;
  }

  private verbose(p: string): string | undefined {
    if (p === 'vCont?') return 'vCont;c;C;s;S';
    if (p.startsWith('vCont;')) {
      const actions = p.slice(6).split(';');
      const step = actions.some((a) => a[0] === 's' || a[0] === 'S');
      return this.resume(step, undefined);
    }
    if (p.startsWith('vKill')) {
      this.reply('OK');
      this.end('kill');
      return undefined;
    }
    return ''; // vMustReplyEmpty and everything else we do not offer
  }

  private async query(p: string): Promise<string> {
    if (p.startsWith('qSupported'))
      return `PacketSize=${MAX_PACKET_BYTES.toString(16)};qXfer:features:read+;vContSupported+`;
    if (p.startsWith('qXfer:features:read:')) {
      const m = /^qXfer:features:read:([^:]+):([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(p);
      if (!m) return E_INVALID;
      if (m[1] !== 'target.xml') return 'E00';
      const offset = Number.parseInt(m[2], 16);
      const length = Number.parseInt(m[3], 16);
      const chunk = this.xml.slice(offset, offset + length);
      return `${offset + length >= this.xml.length ? 'l' : 'm'}${chunk}`;
    }
    if (p === 'qAttached') return '1';
    if (p === 'qC') return 'QC1';
    if (p === 'qfThreadInfo') return 'm1';
    if (p === 'qsThreadInfo') return 'l';
    if (p === 'qOffsets') return 'Text=0;Data=0;Bss=0';
    if (p === 'qqemu.PhyMemMode') return this.target.physicalMemory ? '1' : '0';
    if (p.startsWith('Qqemu.PhyMemMode:')) {
      this.target.physicalMemory = p.endsWith(':1');
      return 'OK';
    }
    if (p.startsWith('qRcmd,')) return this.monitor(Buffer.from(p.slice(6), 'hex').toString('utf8').trim());
    return '';
  }

  /** `monitor …` commands: output goes back as hex text. */
  private async monitor(command: string): Promise<string> {
    const out = (text: string) => Buffer.from(text).toString('hex');
    if (command === 'phys on' || command === 'phys off') {
      this.target.physicalMemory = command === 'phys on';
      return out(`memory addresses are now ${this.target.physicalMemory ? 'physical' : 'virtual'}\n`);
    }
    if (command === 'info registers')
      return out(`${await this.target.withState((s) => this.target.machine.arch.formatCpuState(s))}\n`);
    if (command === 'help' || command === '')
      return out(
        'monitor phys on|off   m/M packets use physical (on) or virtual (off, default) addresses\n' +
          'monitor info registers  the full register dump\n',
      );
    return out(`unknown monitor command '${command}' (try 'monitor help')\n`);
  }

  get signal(): number {
    return this.lastSignal;
  }
}
