import { describe, expect, it } from 'vitest';
import { parseArgs } from '../src/args.js';
import { formatSize, parseSize } from '../src/sizes.js';

describe('sizes', () => {
  it.each([
    ['128M', 128 * 2 ** 20],
    ['128', 128 * 2 ** 20],
    ['1G', 2 ** 30],
    ['1.5G', 1.5 * 2 ** 30],
    ['512k', 512 * 1024],
    ['4096B', 4096],
    ['64MiB', 64 * 2 ** 20],
  ])('%s is %i bytes', (text, bytes) => {
    expect(parseSize(text, '-m')).toBe(bytes);
  });

  it.each(['', 'lots', '12Q', '-5M', '0'])('refuses %j', (text) => {
    expect(() => parseSize(text, '-m')).toThrow(/^-m: /);
  });

  it('formats sizes', () => {
    expect(formatSize(3 * 2 ** 30)).toBe('3 GiB');
    expect(formatSize(640 * 1024)).toBe('640 KiB');
    expect(formatSize(100)).toBe('100 B');
  });
});

describe('argument parsing', () => {
  const specs = [
    { name: 'accel', value: 'NAME', help: '' },
    { name: 'memory', short: 'm', value: 'SIZE', help: '' },
    { name: 'module', value: 'FILE', repeat: true, help: '' },
    { name: 'debug', help: '' },
  ];

  it('accepts --name value, --name=value, QEMU-style -name and short options, in any order', () => {
    const p = parseArgs(
      ['img', '--accel=tcg', '-m', '64M', '-module', 'a', '--module', 'b', '--debug'],
      specs,
      'run',
    );
    expect(p.positional).toEqual(['img']);
    expect(p.options.get('accel')).toEqual(['tcg']);
    expect(p.options.get('memory')).toEqual(['64M']);
    expect(p.options.get('module')).toEqual(['a', 'b']);
    expect(p.flags.has('debug')).toBe(true);
  });

  it('treats everything after -- as positional', () => {
    expect(parseArgs(['--', '--accel'], specs, 'run').positional).toEqual(['--accel']);
  });

  it.each([
    [['--nope'], "run: unknown option '--nope'"],
    [['--accel'], "run: option '--accel' needs a value (NAME)"],
    [['--debug=1'], "run: option '--debug' takes no value"],
    [['--accel', 'a', '--accel', 'b'], "run: option '--accel' given more than once"],
  ])('refuses %j', (argv, message) => {
    expect(() => parseArgs(argv, specs, 'run')).toThrow(message);
  });
});
