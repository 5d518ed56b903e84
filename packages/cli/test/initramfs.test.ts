import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CpioMode, readCpioNewc, writeCpioNewc } from '../src/linux/cpio-newc.js';
import { buildInitramfs, INIT_BANNER } from '../src/linux/initramfs.js';

const text = (s: string) => new TextEncoder().encode(s);

describe('cpio newc writer', () => {
  const entries = [
    { kind: 'dir', path: 'etc' },
    { kind: 'file', path: 'etc/motd', data: text('hello\n') },
    { kind: 'file', path: 'odd', data: text('12345') }, // a size that needs padding
    { kind: 'symlink', path: 'link', target: 'etc/motd' },
    { kind: 'chardev', path: 'console', major: 5, minor: 1 },
  ] as const;

  it('writes headers, 4-byte padding and the trailer that its reader reads back', () => {
    const archive = writeCpioNewc(entries);
    expect(archive.length % 4).toBe(0);
    expect(new TextDecoder().decode(archive.subarray(0, 6))).toBe('070701');
    expect(new TextDecoder().decode(archive)).toContain('TRAILER!!!');
    const members = readCpioNewc(archive);
    expect(members.map((m) => m.path)).toEqual(['etc', 'etc/motd', 'odd', 'link', 'console']);
    expect(members[0].mode & 0o170000).toBe(CpioMode.Directory);
    expect(new TextDecoder().decode(members[2].data)).toBe('12345');
    expect(members[3].mode & 0o170000).toBe(CpioMode.Symlink);
    expect(new TextDecoder().decode(members[3].data)).toBe('etc/motd');
    expect([members[4].mode & 0o170000, members[4].rdevMajor, members[4].rdevMinor]).toEqual([
      CpioMode.CharDevice,
      5,
      1,
    ]);
  });

  it('refuses absolute paths', () => {
    expect(() => writeCpioNewc([{ kind: 'dir', path: '/etc' }])).toThrow(
      "cpio: path '/etc' must be relative",
    );
  });

  const cpio = spawnSync('cpio', ['--version']).status === 0;
  if (!cpio) console.log('skipping the GNU cpio cross-check: cpio is not installed (apt-get install cpio)');
  it.skipIf(!cpio)('is read by GNU cpio the same way', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsvm-cpio-'));
    const file = join(dir, 'a.cpio');
    writeFileSync(file, writeCpioNewc(entries));
    const r = spawnSync('cpio', ['-itv', '-F', file], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[1]).toMatch(/^-rw-r--r-- .* 6 .* etc\/motd$/);
    expect(lines[3]).toMatch(/^lrwxrwxrwx .* link -> etc\/motd$/);
    expect(lines[4]).toMatch(/^crw------- .* 5,\s+1 .* console$/);
  });
});

describe('the busybox initramfs', () => {
  it('holds /init (mounts, banner, busybox init), inittab with a shell on ttyS0, /dev/console', () => {
    const busybox = text('\x7fELF not really busybox');
    const members = readCpioNewc(gunzipSync(buildInitramfs(busybox)));
    const byPath = new Map(members.map((m) => [m.path, m]));
    const init = new TextDecoder().decode(byPath.get('init')!.data);
    expect(byPath.get('init')!.mode & 0o777).toBe(0o755);
    for (const line of [
      'mount -t proc proc /proc',
      'mount -t sysfs sysfs /sys',
      'mount -t devtmpfs devtmpfs /dev',
    ])
      expect(init).toContain(line);
    expect(init).toContain(INIT_BANNER);
    expect(init.trim().endsWith('exec /sbin/init')).toBe(true);
    expect(new TextDecoder().decode(byPath.get('etc/inittab')!.data)).toContain('ttyS0::respawn:-/bin/sh');
    expect(new Uint8Array(byPath.get('bin/busybox')!.data)).toEqual(busybox);
    expect([byPath.get('dev/console')!.rdevMajor, byPath.get('dev/console')!.rdevMinor]).toEqual([5, 1]);
  });
});
