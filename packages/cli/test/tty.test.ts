import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CLI, Op, SCRIPT_ACCEL, scriptImage, tempDir } from './harness.js';

// `script` (util-linux) gives the CLI a pseudo-terminal, so raw mode can be observed: in the
// terminal's normal (canonical) mode, typed bytes only arrive after Enter.
const hasScript = spawnSync('script', ['--version']).status === 0;
if (!hasScript) console.warn('[skip] terminal tests need `script` from util-linux');

describe.skipIf(!hasScript)('console on a terminal', () => {
  it('puts the terminal in raw mode (bytes arrive without Enter), quits on Ctrl-A x and restores the mode', async () => {
    const image = scriptImage(tempDir(), 'echo.bin', '>', Op.echo, Op.echo, Op.wait);
    const command = `stty -g; node ${CLI} run ${image} --accel ${SCRIPT_ACCEL}; echo "status=$?"; stty -g`;
    const child = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    const until = async (text: string) => {
      for (let i = 0; i < 200 && !out.includes(text); i++) await new Promise((r) => setTimeout(r, 25));
      expect(out).toContain(text);
    };
    await until('>');
    child.stdin.write('ab');
    await until('>ab');
    child.stdin.write('\x01x');
    await new Promise((resolve) => child.on('close', resolve));
    expect(out).toContain('terminated by C-a x');
    expect(out).toContain('status=0');
    const modes = out.split(/\r?\n/).filter((l) => /^[0-9a-f]+(:[0-9a-f]+)+$/.test(l.trim()));
    expect(modes).toHaveLength(2);
    expect(modes[1]).toBe(modes[0]);
  });
});
