import { existsSync, lstatSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { CliError, ExitCode } from '../exit-codes.js';
import { describeAddress, type SocketAddress } from '../socket-address.js';
import { JsonStreamSplitter } from './json-stream.js';
import type { QmpCommandSet } from './qmp-commands.js';
import { QmpError } from './qmp-error.js';

/** Clients served at the same time; more are told so and disconnected. */
export const MAX_QMP_CLIENTS = 16;

/** QMP's timestamp: wall-clock seconds and microseconds. */
function timestamp(): { seconds: number; microseconds: number } {
  const us = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  return { seconds: Math.floor(us / 1e6), microseconds: us % 1e6 };
}

interface Session {
  readonly socket: Socket;
  negotiated: boolean;
}

const REQUEST_MEMBERS = new Set(['execute', 'arguments', 'id']);

/**
 * The QMP server (QEMU Machine Protocol): greeting, `qmp_capabilities` negotiation, requests
 * `{"execute", "arguments", "id"}`, replies `{"return"}` / `{"error": {"class", "desc"}}` carrying
 * the request's `id`, and timestamped events for negotiated clients. Each client's requests run
 * one after another; no input a client sends can stop the VM except the commands meant to.
 */
export class QmpServer {
  private readonly server: Server;
  private readonly sessions = new Set<Session>();
  private closed = false;
  private firstClient: (() => void) | undefined;
  readonly firstClientConnected: Promise<void>;

  private constructor(
    private readonly address: SocketAddress,
    private readonly commands: QmpCommandSet,
    private readonly greeting: Record<string, unknown>,
  ) {
    this.server = createServer((socket) => this.accept(socket));
    this.server.on('error', () => {}); // accept errors (EMFILE...) must not take the VM down
    this.firstClientConnected = new Promise((resolve) => {
      this.firstClient = resolve;
    });
    // Waiting for the first client is all the process does then: keep it alive meanwhile.
    this.server.ref();
    this.firstClientConnected.then(() => this.server.unref());
  }

  static async listen(
    address: SocketAddress,
    commands: QmpCommandSet,
    greeting: Record<string, unknown>,
    option = '--qmp',
  ): Promise<QmpServer> {
    if (address.kind === 'unix' && existsSync(address.path)) {
      // A stale socket file from a crashed run is removed; anything else at the path is refused.
      if (!lstatSync(address.path).isSocket())
        throw new CliError(`${option}: '${address.path}' exists and is not a socket`, ExitCode.Startup);
      unlinkSync(address.path);
    }
    const qmp = new QmpServer(address, commands, greeting);
    await listenOn(qmp.server, address, option);
    if (!address.wait) qmp.firstClient?.();
    return qmp;
  }

  private accept(socket: Socket): void {
    socket.on('error', () => {}); // a client that vanishes mid-reply is its own problem
    if (this.closed) {
      socket.destroy();
      return;
    }
    if (this.sessions.size >= MAX_QMP_CLIENTS) {
      const desc = `too many QMP clients (limit ${MAX_QMP_CLIENTS})`;
      socket.end(`${JSON.stringify({ error: { class: 'GenericError', desc } })}\r\n`);
      return;
    }
    const session: Session = { socket, negotiated: false };
    this.sessions.add(session);
    socket.on('close', () => this.sessions.delete(session));
    this.send(session, this.greeting);
    this.firstClient?.();
    this.firstClient = undefined;
    const splitter = new JsonStreamSplitter();
    let queue: Promise<void> = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      for (const item of splitter.push(chunk)) {
        queue = queue.then(() =>
          'error' in item
            ? this.send(session, { error: { class: 'GenericError', desc: item.error } })
            : this.handle(session, item.value),
        );
      }
    });
  }

  private async handle(session: Session, request: unknown): Promise<void> {
    const r = request as Record<string, unknown>;
    const isObject = typeof r === 'object' && r !== null && !Array.isArray(r);
    const id = isObject && 'id' in r ? { id: r.id } : {};
    try {
      if (!isObject) throw new QmpError('GenericError', 'QMP input must be a JSON object');
      for (const key of Object.keys(r))
        if (!REQUEST_MEMBERS.has(key))
          throw new QmpError('GenericError', `QMP input member '${key}' is unexpected`);
      if (!('execute' in r)) throw new QmpError('GenericError', "QMP input lacks member 'execute'");
      if (typeof r.execute !== 'string')
        throw new QmpError('GenericError', "QMP input member 'execute' must be a string");
      const args = r.arguments ?? {};
      if (typeof args !== 'object' || args === null || Array.isArray(args))
        throw new QmpError('GenericError', "QMP input member 'arguments' must be an object");
      if (r.execute === 'qmp_capabilities') {
        if (session.negotiated)
          throw new QmpError(
            'CommandNotFound',
            'Capabilities negotiation is already complete, command ignored',
          );
        negotiate(args as Record<string, unknown>);
        session.negotiated = true;
        this.send(session, { return: {}, ...id });
        return;
      }
      if (!session.negotiated)
        throw new QmpError('CommandNotFound', "Expecting capabilities negotiation with 'qmp_capabilities'");
      const value = await this.commands.execute(r.execute, args as Record<string, unknown>);
      this.send(session, { return: value ?? {}, ...id });
    } catch (e) {
      const errorClass = e instanceof QmpError ? e.errorClass : 'GenericError';
      const desc = e instanceof Error ? e.message : String(e);
      this.send(session, { error: { class: errorClass, desc }, ...id });
    }
  }

  private send(session: Session, message: unknown): void {
    const { socket } = session;
    if (socket.destroyed || !socket.writable) return;
    socket.write(`${JSON.stringify(message)}\r\n`);
  }

  /** An asynchronous event to every negotiated client: `{"event", "data"?, "timestamp"}`. */
  broadcast(event: string, data?: Record<string, unknown>): void {
    const message = { event, ...(data ? { data } : {}), timestamp: timestamp() };
    for (const s of this.sessions) if (s.negotiated) this.send(s, message);
  }

  get where(): string {
    return describeAddress(this.address);
  }

  /** Stop listening, let replies already written reach their clients (briefly), remove the socket file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const sockets = [...this.sessions].map((s) => s.socket);
    for (const c of sockets) c.end();
    await Promise.race([
      Promise.all(
        sockets.map((c) => new Promise((resolve) => (c.closed ? resolve(null) : c.once('close', resolve)))),
      ),
      new Promise((resolve) => setTimeout(resolve, 200).unref()),
    ]);
    for (const c of sockets) c.destroy();
    this.server.close();
    if (this.address.kind === 'unix') {
      try {
        unlinkSync(this.address.path);
      } catch {
        // already removed
      }
    }
  }
}

/** `qmp_capabilities {"enable": [...]}`: tsvm offers no optional capability (no out-of-band). */
function negotiate(args: Record<string, unknown>): void {
  for (const key of Object.keys(args))
    if (key !== 'enable') throw new QmpError('GenericError', `Parameter '${key}' is unexpected`);
  const enable = args.enable ?? [];
  if (!Array.isArray(enable)) throw new QmpError('GenericError', "Parameter 'enable' expects array");
  for (const cap of enable) throw new QmpError('GenericError', `Capability '${String(cap)}' not available`);
}

/** Listen on a unix or TCP address, turning failures into a startup error that names the option. */
export function listenOn(server: Server, address: SocketAddress, option: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const fail = (e: Error) =>
      reject(
        new CliError(
          `${option}: cannot listen on '${describeAddress(address)}': ${e.message}`,
          ExitCode.Startup,
        ),
      );
    server.once('error', fail);
    const done = () => {
      server.off('error', fail);
      resolve();
    };
    if (address.kind === 'unix') server.listen(address.path, done);
    else server.listen(address.port, address.host, done);
  });
}
