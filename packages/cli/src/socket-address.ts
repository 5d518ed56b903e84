import { CliError, ExitCode } from './exit-codes.js';

/** A listening address in QEMU's chardev syntax: `unix:PATH` or `tcp:[HOST]:PORT`, plus options. */
export type SocketAddress =
  | { readonly kind: 'unix'; readonly path: string; readonly wait: boolean }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number; readonly wait: boolean };

/**
 * Parse `unix:PATH[,server[=on]][,wait=on|off][,nowait]` or `tcp:[HOST]:PORT[,…]`. tsvm is always
 * the server; `wait` (QEMU's default for servers) holds the guest until the first client connects.
 * An empty HOST listens on 127.0.0.1 only: these sockets control the VM, so all interfaces must be asked for.
 */
export function parseSocketAddress(text: string, option: string, waitByDefault: boolean): SocketAddress {
  const [target, ...opts] = text.split(',');
  let wait = waitByDefault;
  for (const o of opts) {
    if (o === 'server' || o === 'server=on') continue;
    if (o === 'wait=off' || o === 'nowait') wait = false;
    else if (o === 'wait=on') wait = true;
    else throw new CliError(`${option}: unknown socket option '${o}' in '${text}'`, ExitCode.Usage);
  }
  if (target.startsWith('unix:') && target.length > 5) return { kind: 'unix', path: target.slice(5), wait };
  const tcp = /^tcp:([^:]*):(\d{1,5})$/.exec(target);
  if (tcp) {
    const port = Number(tcp[2]);
    if (port < 1 || port > 65535)
      throw new CliError(`${option}: port ${tcp[2]} is out of range (1-65535)`, ExitCode.Usage);
    return { kind: 'tcp', host: tcp[1] || '127.0.0.1', port, wait };
  }
  throw new CliError(`${option}: '${text}' is not unix:PATH or tcp:[HOST]:PORT`, ExitCode.Usage);
}

export function describeAddress(a: SocketAddress): string {
  return a.kind === 'unix' ? a.path : `${a.host}:${a.port}`;
}
