import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run, tempDir } from './harness.js';

/** A bzImage setup header with nothing behind it worth running (the CLI refuses it before any code runs). */
function bzImage(o: { cmdlineSize?: number; protocol?: number; initSize?: number } = {}): Uint8Array {
  const image = new Uint8Array(5 * 512 + 4096);
  const v = new DataView(image.buffer);
  image[0x1f1] = 4;
  image[0x201] = 0x6a;
  v.setUint32(0x202, 0x53726448, true);
  v.setUint16(0x206, o.protocol ?? 0x20f, true);
  image[0x211] = 1;
  v.setUint32(0x22c, 0x7fffffff, true);
  image[0x234] = 1;
  v.setUint32(0x238, o.cmdlineSize ?? 2047, true);
  v.setBigUint64(0x258, 0x1000000n, true);
  v.setUint32(0x260, o.initSize ?? 0x100000, true);
  return image;
}

describe('tsvm run with a Linux kernel', () => {
  const accel = ['--accel', 'tcg'];
  it('names the file and the problem when the kernel or initrd is refused', async () => {
    const dir = tempDir();
    const write = (name: string, bytes: Uint8Array) => {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      return path;
    };
    const old = write('old.bzImage', bzImage({ protocol: 0x204 }));
    const ok = write('ok.bzImage', bzImage());
    const big = write('big.bzImage', bzImage({ initSize: 200 * 1024 * 1024 }));
    const notLinux = write('flat.bin', new Uint8Array(512).fill(0xf4));
    for (const [args, message] of [
      [['run', '--kernel', old, ...accel], `'${old}': bzImage: boot protocol 2.04 is older than 2.06`],
      [['-kernel', old], `'${old}': bzImage: boot protocol 2.04 is older than 2.06`],
      [['run', old, ...accel], 'is older than 2.06'],
      [
        ['run', '--kernel', big, ...accel],
        `'${big}': bzImage: kernel needs RAM from 0x1000000 to 0xd800000 (init_size 200.0 MiB), but RAM ends at 0x8000000`,
      ],
      [
        ['run', '--kernel', ok, '--append', 'x'.repeat(3000), ...accel],
        `'${ok}': bzImage: command line of 3000 bytes is longer than the kernel's cmdline_size of 2047`,
      ],
      [
        ['run', '--kernel', ok, '--initrd', join(dir, 'missing.gz'), ...accel],
        `cannot read initrd '${join(dir, 'missing.gz')}'`,
      ],
      [
        ['run', '--kernel', ok, '--initrd', ok, '-m', '17M', ...accel],
        `'${ok}': bzImage: initrd of 6656 bytes (0.0 MiB) does not fit between the kernel's end at 0x1100000 and 0x1100000 (end of RAM)`,
      ],
      [['run', notLinux, '--initrd', ok, ...accel], `--initrd: '${notLinux}' is not a Linux bzImage`],
    ] as const) {
      const argv = args[0] === '-kernel' ? ['run', ...args, ...accel] : [...args];
      const r = await run(argv);
      expect(r.status, r.stderr).toBe(4);
      expect(r.stderr).toContain(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('refuses a kernel given twice and an initrd without a kernel (usage errors)', async () => {
    const r1 = await run(['run', 'a.bin', '--kernel', 'b.bin', ...accel]);
    expect(r1.status).toBe(2);
    expect(r1.stderr).toContain(
      "give the kernel either as IMAGE or with --kernel, not both ('a.bin', 'b.bin')",
    );
    const r2 = await run(['run', '--initrd', 'i.gz', ...accel]);
    expect(r2.status).toBe(2);
    expect(r2.stderr).toContain('--initrd needs a kernel (--kernel FILE)');
  });

  it('documents --kernel, --initrd and fetch-linux in its help', async () => {
    const r = await run(['run', '--help']);
    expect(r.stdout).toContain('--kernel FILE');
    expect(r.stdout).toContain('--initrd FILE');
    const f = await run(['fetch-linux', '--help']);
    expect(f.status).toBe(0);
    expect(f.stdout).toContain('linux-image-686');
    const bad = await run(['fetch-linux', 'extra']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("fetch-linux: unexpected argument 'extra'");
  });
});
