import { existsSync, lstatSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { CliError, ExitCode } from './exit-codes.js';

/** Longest request line accepted; longer input is answered with an error and skipped to its newline. */
export const MAX_LINE_BYTES = 64 * 1024;
/** Clients served at the same time; more are told so and disconnected. */
export const MAX_CLIENTS = 16;

/** A failed command: QMP-style error class plus a description. */
export class CommandError extends Error {
  constructor(
    readonly errorClass: 'GenericError' | 'CommandNotFound' | 'InvalidArgument',
    message: string,
  ) {
    super(message);
  }
}

/** A command handler: gets the `arguments` object, returns the `return` value. */
export type CommandHandler = (args: Record<string, unknown>) => unknown | Promise<unknown>;

export function parseControlAddress(text: string): string {
  if (text.startsWith('unix:') && text.length > 5) return text.slice(5);
  throw new CliError(`--control: '${text}' is not unix:PATH`, ExitCode.Usage);
}

/**
 * The control socket: one JSON object per line, QMP-like. A request is
 * `{"execute": "NAME", "arguments": {...}, "id": ANY}`; the answer is
 * `{"return": VALUE, "id": ...}` or `{"error": {"class": ..., "desc": ...}, "id": ...}`.
 * Each client's requests run one after another; nothing a client sends can stop the VM
 * except the commands that are meant to. Events (`broadcast`) may arrive between replies.
 */
export class ControlSocket {
  private readonly server: Server;
  private readonly clients = new Set<Socket>();
  private closed = false;

  private constructor(
    private readonly path: string,
    private readonly commands: ReadonlyMap<string, CommandHandler>,
    private readonly version: string,
  ) {
    this.server = createServer((socket) => this.accept(socket));
    this.server.on('error', () => {}); // accept errors (EMFILE...) must not take the VM down
  }

  static async listen(
    path: string,
    commands: ReadonlyMap<string, CommandHandler>,
    version: string,
  ): Promise<ControlSocket> {
    // A stale socket file from a crashed run is removed; anything else at the path is refused.
    if (existsSync(path)) {
      if (!lstatSync(path).isSocket())
        throw new CliError(`--control: '${path}' exists and is not a socket`, ExitCode.Startup);
      unlinkSync(path);
    }
    const control = new ControlSocket(path, commands, version);
    await new Promise<void>((resolve, reject) => {
      const fail = (e: Error) =>
        reject(new CliError(`--control: cannot listen on '${path}': ${e.message}`, ExitCode.Startup));
      control.server.once('error', fail);
      control.server.listen(path, () => {
        control.server.off('error', fail);
        resolve();
      });
    });
    control.server.unref();
    return control;
  }

  private accept(socket: Socket): void {
    socket.on('error', () => {}); // a client that vanishes mid-reply is its own problem
    if (this.closed) {
      socket.destroy();
      return;
    }
    if (this.clients.size >= MAX_CLIENTS) {
      socket.end(
        `${JSON.stringify({ error: { class: 'GenericError', desc: `too many clients (limit ${MAX_CLIENTS})` } })}\n`,
      );
      return;
    }
    this.clients.add(socket);
    socket.on('close', () => this.clients.delete(socket));
    this.send(socket, { tsvm: { version: this.version }, commands: [...this.commands.keys()] });
    let buffered: Buffer[] = [];
    let bufferedBytes = 0;
    let skipping = false;
    let queue: Promise<void> = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      let start = 0;
      for (;;) {
        const nl = chunk.indexOf(0x0a, start);
        const piece = chunk.subarray(start, nl < 0 ? chunk.length : nl);
        if (!skipping) {
          bufferedBytes += piece.length;
          if (bufferedBytes > MAX_LINE_BYTES) {
            this.send(socket, {
              error: { class: 'GenericError', desc: `request line longer than ${MAX_LINE_BYTES} bytes` },
            });
            skipping = true;
            buffered = [];
          } else buffered.push(piece);
        }
        if (nl < 0) break;
        if (!skipping) {
          const line = Buffer.concat(buffered).toString('utf8');
          queue = queue.then(() => this.handleLine(socket, line));
        }
        buffered = [];
        bufferedBytes = 0;
        skipping = false;
        start = nl + 1;
      }
    });
  }

  private async handleLine(socket: Socket, line: string): Promise<void> {
    if (line.trim() === '') return;
    let request: unknown;
    try {
      request = JSON.parse(line);
    } catch (e) {
      this.send(socket, {
        error: { class: 'GenericError', desc: `malformed JSON: ${(e as Error).message}` },
      });
      return;
    }
    const r = request as { execute?: unknown; arguments?: unknown; id?: unknown };
    const id = typeof r === 'object' && r !== null && 'id' in r ? { id: r.id } : {};
    try {
      if (typeof r !== 'object' || r === null || Array.isArray(r) || typeof r.execute !== 'string') {
        throw new CommandError('GenericError', 'a request is an object with a string "execute" member');
      }
      const handler = this.commands.get(r.execute);
      if (!handler) throw new CommandError('CommandNotFound', `the command '${r.execute}' does not exist`);
      const args = r.arguments ?? {};
      if (typeof args !== 'object' || args === null || Array.isArray(args)) {
        throw new CommandError('InvalidArgument', '"arguments" must be an object');
      }
      const value = await handler(args as Record<string, unknown>);
      this.send(socket, { return: value ?? {}, ...id });
    } catch (e) {
      const errorClass = e instanceof CommandError ? e.errorClass : 'GenericError';
      const desc = e instanceof Error ? e.message : String(e);
      this.send(socket, { error: { class: errorClass, desc }, ...id });
    }
  }

  private send(socket: Socket, message: unknown): void {
    if (socket.destroyed || !socket.writable) return;
    socket.write(`${JSON.stringify(message)}\n`);
  }

  /**
   * Tell every connected client that something happened, QMP style:
   * `{"event": NAME, "data": {...}, "timestamp": {"seconds": S, "microseconds": U}}`.
   * Clients tell events from replies by the `event` member.
   */
  broadcast(event: string, data: Record<string, unknown> = {}): void {
    const now = Date.now();
    const message = {
      event,
      data,
      timestamp: { seconds: Math.floor(now / 1000), microseconds: (now % 1000) * 1000 },
    };
    for (const c of this.clients) this.send(c, message);
  }

  /** Stop listening, let replies already written reach their clients (briefly), remove the socket file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const clients = [...this.clients];
    for (const c of clients) c.end();
    await Promise.race([
      Promise.all(
        clients.map((c) => new Promise((resolve) => (c.closed ? resolve(null) : c.once('close', resolve)))),
      ),
      new Promise((resolve) => setTimeout(resolve, 200).unref()),
    ]);
    for (const c of clients) c.destroy();
    this.server.close();
    try {
      unlinkSync(this.path);
    } catch {
      // already removed
    }
  }
}
