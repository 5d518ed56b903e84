import { createServer, type Server, type Socket } from 'node:net';
import { listenOn } from '../qmp/qmp-server.js';
import { describeAddress, type SocketAddress } from '../socket-address.js';
import type { DebugTarget } from './debug-target.js';
import { GdbStub } from './gdb-stub.js';
import { framePacket, RspReader } from './rsp-framing.js';
import { I386_TARGET } from './x86-i386-target.js';

/**
 * The gdb remote stub's listening socket (`--gdb tcp::PORT`, `-s`): one debugger at a time
 * (another is turned away while one is attached). A debugger that disconnects detaches:
 * its breakpoints go and the guest runs on.
 */
export class GdbServer {
  private readonly server: Server;
  private client: { socket: Socket; stub: GdbStub } | undefined;
  private closed = false;

  private constructor(
    private readonly address: SocketAddress,
    private readonly target: DebugTarget,
    private readonly kill: () => void,
  ) {
    this.server = createServer((socket) => this.accept(socket));
    this.server.on('error', () => {});
  }

  static async listen(address: SocketAddress, target: DebugTarget, kill: () => void): Promise<GdbServer> {
    const gdb = new GdbServer(address, target, kill);
    await listenOn(gdb.server, address, '--gdb');
    gdb.server.unref();
    return gdb;
  }

  get where(): string {
    return describeAddress(this.address);
  }

  private accept(socket: Socket): void {
    socket.on('error', () => {});
    if (this.closed || this.client) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    const send = (data: string) => {
      if (!socket.destroyed && socket.writable) socket.write(framePacket(data), 'latin1');
    };
    const stub = new GdbStub(this.target, I386_TARGET, send, (action) => {
      if (action === 'kill') this.kill();
      socket.end();
    });
    const client = { socket, stub };
    this.client = client;
    const reader = new RspReader();
    let queue: Promise<void> = stub.attach();
    socket.on('data', (chunk: Buffer) => {
      for (const input of reader.push(chunk)) {
        if (input.kind === 'interrupt') {
          // After the packets before it: a Ctrl-C right behind a 'c' must find the vCPU resumed.
          queue = queue.then(() => stub.interrupt()).catch(() => {});
          continue;
        }
        socket.write(input.kind === 'packet' ? '+' : '-');
        if (input.kind === 'packet') {
          const data = input.data;
          queue = queue.then(() => stub.handle(data)).catch(() => send('E01'));
        }
      }
    });
    socket.on('close', () => {
      if (this.client !== client) return;
      this.client = undefined;
      if (!this.closed) this.target.release();
    });
  }

  /** The VM ended: tell an attached debugger (`W` + status) and stop listening. */
  async close(status: number | undefined): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const c = this.client;
    if (c) {
      if (status !== undefined) c.stub.exited(status);
      c.socket.end();
      await new Promise((resolve) => {
        c.socket.once('close', resolve);
        setTimeout(resolve, 200).unref();
      });
      c.socket.destroy();
    }
    this.server.close();
  }
}
