import { createConnection, type Socket } from 'node:net';

/** A line-oriented client for the control socket. */
export class ControlClient {
  private buffer = '';
  private lines: string[] = [];
  private waiting: ((line: string) => void)[] = [];
  /** Events received so far (QMP style: objects with an `event` member), kept apart from replies. */
  readonly events: { event: string; data: Record<string, unknown> }[] = [];
  closed = false;

  private constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      this.buffer += d;
      for (let nl = this.buffer.indexOf('\n'); nl >= 0; nl = this.buffer.indexOf('\n')) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        if (line.startsWith('{"event":')) {
          this.events.push(JSON.parse(line));
          continue;
        }
        const w = this.waiting.shift();
        if (w) w(line);
        else this.lines.push(line);
      }
    });
    socket.on('close', () => {
      this.closed = true;
    });
    socket.on('error', () => {});
  }

  static connect(path: string): Promise<ControlClient> {
    return new Promise((resolve, reject) => {
      const s = createConnection(path, () => resolve(new ControlClient(s)));
      s.once('error', reject);
    });
  }

  /** Connect, retrying while the VM is still starting. */
  static async connectWhenReady(path: string, timeoutMs = 20_000): Promise<ControlClient> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      try {
        return await ControlClient.connect(path);
      } catch (e) {
        if (Date.now() > end) throw e;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  next(timeoutMs = 20_000): Promise<unknown> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(JSON.parse(line));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no reply from the control socket')), timeoutMs);
      this.waiting.push((l) => {
        clearTimeout(timer);
        resolve(JSON.parse(l));
      });
    });
  }

  sendRaw(text: string): void {
    this.socket.write(text);
  }

  async execute(
    command: string,
    args?: Record<string, unknown>,
  ): Promise<{ return?: unknown; error?: { class: string; desc: string } }> {
    this.socket.write(`${JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}) })}\n`);
    return (await this.next()) as { return?: unknown; error?: { class: string; desc: string } };
  }

  close(): void {
    this.socket.destroy();
  }
}
