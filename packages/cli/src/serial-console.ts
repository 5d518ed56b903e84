import { closeSync, openSync, writeSync } from 'node:fs';
import type { Uart16550 } from '@tsvm/pc';
import { CliError, ExitCode } from './exit-codes.js';

/** The escape character of the console (Ctrl-A), as in QEMU. */
const ESCAPE = 0x01;
const ESCAPE_HELP = [
  'C-a h    print this help',
  'C-a x    exit tsvm',
  'C-a s    save a snapshot (with --savevm-at-exit FILE: written there now)',
  'C-a C-a  send C-a to the guest',
].join('\r\n');

export type SerialTarget = { kind: 'stdio' } | { kind: 'file'; path: string } | { kind: 'none' };

export function parseSerialTarget(text: string): SerialTarget {
  if (text === 'stdio') return { kind: 'stdio' };
  if (text === 'none' || text === 'null') return { kind: 'none' };
  if (text.startsWith('file:') && text.length > 5) return { kind: 'file', path: text.slice(5) };
  throw new CliError(`--serial: '${text}' is not stdio, file:PATH or none`, ExitCode.Usage);
}

export interface SerialConsoleHooks {
  /** Ctrl-A x. */
  quit(): void;
  /** Ctrl-A s. */
  snapshot?(): void;
  /** Messages for the user (stderr). */
  note(line: string): void;
}

/**
 * Connects COM1 to the host: guest output to stdout or a file (batched per event-loop turn),
 * and, for `stdio`, the console's stdin to the UART — raw when stdin is a terminal, with the
 * Ctrl-A escape (x quits). Input the UART cannot take yet waits here, with stdin paused.
 */
export class SerialConsole {
  private out: number[] = [];
  private fd: number | undefined;
  private flushScheduled = false;
  private pendingInput: number[] = [];
  private escape = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private rawMode = false;
  private readonly onData = (chunk: Buffer) => this.input(chunk);

  constructor(
    private readonly target: SerialTarget,
    private readonly hooks: SerialConsoleHooks,
  ) {
    if (target.kind === 'file') {
      try {
        this.fd = openSync(target.path, 'w');
      } catch (e) {
        throw new CliError(
          `--serial: cannot open '${target.path}': ${(e as Error).message}`,
          ExitCode.Startup,
        );
      }
    } else if (target.kind === 'stdio') {
      this.fd = 1;
    }
  }

  private uart: Uart16550 | undefined;

  /** Start forwarding stdin to `uart` (stdio only). */
  attachInput(uart: Uart16550): void {
    this.uart = uart;
    if (this.target.kind !== 'stdio') return;
    const stdin = process.stdin;
    if (stdin.isTTY) {
      stdin.setRawMode(true);
      this.rawMode = true;
    }
    stdin.on('data', this.onData);
    stdin.on('error', () => {}); // a closed terminal is not a reason to crash
    stdin.resume();
  }

  /** Guest → host byte. */
  write(byte: number): void {
    if (this.fd === undefined) return;
    this.out.push(byte);
    if (this.out.length >= 4096) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.flushScheduled = false;
    if (this.fd === undefined || this.out.length === 0) return;
    const bytes = Uint8Array.from(this.out);
    this.out = [];
    try {
      for (let at = 0; at < bytes.length; ) at += writeSync(this.fd, bytes, at, bytes.length - at);
    } catch (e) {
      // EAGAIN on a non-blocking stdout, EPIPE on a closed reader: drop output rather than crash.
      if ((e as NodeJS.ErrnoException).code === 'EPIPE') this.fd = undefined;
    }
  }

  private input(chunk: Buffer): void {
    for (const byte of chunk) {
      if (this.escape) {
        this.escape = false;
        if (byte === 0x78 || byte === 0x58) {
          this.hooks.note('terminated by C-a x');
          this.hooks.quit();
          return;
        }
        if (byte === 0x68 || byte === 0x48) this.hooks.note(ESCAPE_HELP);
        else if (byte === 0x73 || byte === 0x53) this.hooks.snapshot?.();
        else if (byte === ESCAPE) this.pendingInput.push(ESCAPE);
        continue;
      }
      if (byte === ESCAPE) this.escape = true;
      else this.pendingInput.push(byte);
    }
    this.pump();
  }

  /** Hand queued input to the UART; pause stdin while it is full. */
  private pump(): void {
    if (!this.uart || this.pendingInput.length === 0) return;
    const taken = this.uart.receive(this.pendingInput);
    this.pendingInput = this.pendingInput.slice(taken);
    if (this.pendingInput.length > 0) {
      process.stdin.pause();
      this.retryTimer ??= setTimeout(() => {
        this.retryTimer = undefined;
        this.pump();
        if (this.pendingInput.length === 0) process.stdin.resume();
      }, 10);
    }
  }

  close(): void {
    this.flush();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.target.kind === 'stdio') {
      process.stdin.off('data', this.onData);
      if (this.rawMode) process.stdin.setRawMode(false);
      process.stdin.pause();
      process.stdin.unref?.();
    }
    if (this.target.kind === 'file' && this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
