import { createConnection, type Socket } from 'node:net';

export interface QmpReply {
  return?: unknown;
  error?: { class: string; desc: string };
  id?: unknown;
}

export interface QmpEvent {
  event: string;
  data?: Record<string, unknown>;
  timestamp: { seconds: number; microseconds: number };
}

/** A QMP client for tests: replies in order, events collected apart (they carry an `event` member). */
export class QmpClient {
  private buffer = '';
  private lines: unknown[] = [];
  private waiting: ((message: unknown) => void)[] = [];
  private eventWaiters: { name: string; resolve: (e: QmpEvent) => void }[] = [];
  readonly events: QmpEvent[] = [];
  closed = false;

  private constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      this.buffer += d;
      for (let nl = this.buffer.indexOf('\n'); nl >= 0; nl = this.buffer.indexOf('\n')) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        const message = JSON.parse(line) as Record<string, unknown>;
        if ('event' in message) {
          const e = message as unknown as QmpEvent;
          this.events.push(e);
          for (const w of this.eventWaiters.filter((x) => x.name === e.event)) {
            this.eventWaiters.splice(this.eventWaiters.indexOf(w), 1);
            w.resolve(e);
          }
          continue;
        }
        const w = this.waiting.shift();
        if (w) w(message);
        else this.lines.push(message);
      }
    });
    socket.on('close', () => {
      this.closed = true;
    });
    socket.on('error', () => {});
  }

  static connect(path: string | { host: string; port: number }): Promise<QmpClient> {
    return new Promise((resolve, reject) => {
      const s = typeof path === 'string' ? createConnection(path) : createConnection(path.port, path.host);
      s.once('connect', () => resolve(new QmpClient(s)));
      s.once('error', reject);
    });
  }

  /** Connect, retrying while the VM is still starting. */
  static async connectWhenReady(
    path: string | { host: string; port: number },
    timeoutMs = 20_000,
  ): Promise<QmpClient> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      try {
        return await QmpClient.connect(path);
      } catch (e) {
        if (Date.now() > end) throw e;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  /** Connect, read the greeting and negotiate capabilities. */
  static async session(path: string | { host: string; port: number }): Promise<QmpClient> {
    const c = await QmpClient.connectWhenReady(path);
    await c.next();
    const r = await c.execute('qmp_capabilities');
    if (r.error) throw new Error(`negotiation failed: ${r.error.desc}`);
    return c;
  }

  next(timeoutMs = 20_000): Promise<unknown> {
    if (this.lines.length > 0) return Promise.resolve(this.lines.shift());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no reply from the QMP server')), timeoutMs);
      this.waiting.push((l) => {
        clearTimeout(timer);
        resolve(l);
      });
    });
  }

  /** Resolve on the next event called `name` (or one already received and not yet claimed, if `past`). */
  waitEvent(name: string, timeoutMs = 20_000): Promise<QmpEvent> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${name} event`)), timeoutMs);
      this.eventWaiters.push({
        name,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
    });
  }

  sendRaw(text: string): void {
    this.socket.write(text);
  }

  async execute(command: string, args?: Record<string, unknown>, id?: unknown): Promise<QmpReply> {
    this.socket.write(
      `${JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}), ...(id !== undefined ? { id } : {}) })}\n`,
    );
    return (await this.next()) as QmpReply;
  }

  close(): void {
    this.socket.destroy();
  }
}
