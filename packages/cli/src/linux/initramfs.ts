import { gzipSync } from 'node:zlib';
import { type CpioEntry, writeCpioNewc } from './cpio-newc.js';

/** What /init prints once proc, sys and dev are mounted (benchmarks and tests wait for it). */
export const INIT_BANNER = 'tsvm initramfs: /init is running';
/** The shell prompt of the initramfs (`PS1`), distinctive so tests can wait for it. */
export const SHELL_PROMPT = 'tsvm:/# ';

/**
 * /init: install busybox's applet links, mount the pseudo file systems, print the banner, then
 * hand PID 1 to busybox init, which runs a login shell on ttyS0 and handles poweroff/reboot
 * (a shell as PID 1 would ignore the signal `poweroff` sends it).
 */
const INIT_SCRIPT = `#!/bin/busybox sh
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
echo "${INIT_BANNER} on Linux $(uname -r)"
exec /sbin/init
`;

/** busybox init: a shell on the serial console, respawned; unmount on the way down. */
const INITTAB = `ttyS0::respawn:-/bin/sh
::ctrlaltdel:/sbin/reboot
::shutdown:/bin/umount -a -r
`;

const PROFILE = `export PATH=/bin:/sbin:/usr/bin:/usr/sbin
export PS1='tsvm:\\w# '
`;

const text = (s: string) => new TextEncoder().encode(s);

/**
 * A gzip'd newc initramfs around a static busybox: /init (above), /etc/inittab, /etc/profile
 * and /dev/console (the kernel opens it before /init runs; a cpio can carry the device node
 * without root).
 */
export function buildInitramfs(busybox: Uint8Array): Uint8Array {
  const entries: CpioEntry[] = [
    ...['bin', 'sbin', 'usr', 'usr/bin', 'usr/sbin', 'etc', 'proc', 'sys', 'dev', 'tmp', 'root'].map(
      (path): CpioEntry => ({ kind: 'dir', path }),
    ),
    { kind: 'chardev', path: 'dev/console', major: 5, minor: 1 },
    { kind: 'file', path: 'bin/busybox', data: busybox, perm: 0o755 },
    { kind: 'symlink', path: 'bin/sh', target: 'busybox' },
    { kind: 'symlink', path: 'sbin/init', target: '../bin/busybox' },
    { kind: 'file', path: 'init', data: text(INIT_SCRIPT), perm: 0o755 },
    { kind: 'file', path: 'etc/inittab', data: text(INITTAB) },
    { kind: 'file', path: 'etc/profile', data: text(PROFILE) },
  ];
  return gzipSync(writeCpioNewc(entries), { level: 9 });
}
