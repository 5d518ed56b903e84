import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildAndServe,
  chromiumAvailability,
  dropFile,
  launchChromium,
  saveSnapshot,
  terminalText,
  waitForMessage,
  waitForState,
  waitForText,
} from './browser-harness.js';
import { bytesOf, CLI, IRQGUEST, SNAPGUEST } from './guests.js';

const chromium = chromiumAvailability();
if (!chromium.path) console.warn(`[skip] browser end-to-end tests: ${chromium.reason}`);

/** `tsvm run` (the real built CLI) to its end, with `input` on stdin. */
function tsvm(args: string[], input = '') {
  const r = spawnSync(process.execPath, [CLI, 'run', ...args], { input, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Run snapguest under the CLI until it waits for its key, then end it with SIGTERM: --savevm-at-exit writes `file`. */
function cliSnapshotAtKeyWait(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [CLI, 'run', SNAPGUEST, '--accel', 'tcg', '--savevm-at-exit', file],
      {
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      if (stdout.includes('waiting for a key')) child.kill('SIGTERM');
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (status) => {
      if (status === 0 && stderr.includes('terminating on signal SIGTERM')) resolve(stdout);
      else reject(new Error(`tsvm run ended with ${status}: ${stderr}`));
    });
  });
}

describe.skipIf(!chromium.path)(`the web page in ${chromium.reason}`, () => {
  let server: PreviewServer;
  let url: string;
  let browser: Browser;
  const downloads = mkdtempSync(join(tmpdir(), 'tsvm-web-downloads-'));

  beforeAll(async () => {
    ({ url, server } = await buildAndServe());
    browser = await launchChromium(chromium.path!);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function openPage(): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
    await page.goto(url);
    return page;
  }

  it('boots the demo, takes keyboard input, and a downloaded snapshot continues after a reload', async () => {
    const page = await openPage();
    await waitForText(page, 'Done: the guest halts');
    const demo = await terminalText(page);
    expect(demo).toContain('tsvm demo guest: 32-bit protected mode, booted by Multiboot');
    expect(demo).toContain('fw_cfg:       signature QEMU, CPUs: 1');
    expect(demo).toContain('[####################]');
    expect(demo).toContain('#########################');
    await waitForState(page, 'halted');
    expect(await page.textContent('#status')).toMatch(
      /^halted \(vCPU halted with interrupts disabled and nothing pending\) · 0 guest instructions\/s · virtual time \d+\.\d{3} s · demo\.bin · 128 MiB RAM$/,
    );

    // The demo reads no input; irqguest echoes COM1 in upper case until a '.'.
    await page.setInputFiles('#image-file', IRQGUEST);
    await waitForText(page, 'type text and a dot');
    // A refused image (dropped on the page) is reported; the running guest and its screen stay.
    await dropFile(page, 'empty.bin', new Uint8Array(0));
    await waitForMessage(page, "cannot boot 'empty.bin': flat binary: image is empty (at offset 0x0)");
    expect(await terminalText(page)).toContain('type text and a dot');
    await page.click('#terminal');
    await page.keyboard.type('hello');
    await waitForText(page, 'HELLO');
    const snap = await saveSnapshot(page, downloads);
    expect(snap.name).toMatch(/^irqguest-\d{8}T\d{6}\.snap$/);

    await page.reload();
    await waitForText(page, 'tsvm demo guest'); // a fresh page boots the demo again
    expect(await terminalText(page)).not.toContain('HELLO');
    await page.setInputFiles('#snapshot-file', snap.path);
    await waitForMessage(page, `snapshot loaded: ${snap.name}`);
    await page.click('#terminal');
    await page.keyboard.type(' world.');
    await waitForState(page, 'exited');
    expect(await terminalText(page)).toContain(' WORLD\nirqguest: done');
    // 11 bytes echoed: 'hello' from before the reload counts, so the guest really continued.
    expect(await page.textContent('#status')).toMatch(/^exited \(debug-exit status 23\) · /);
    await page.close();
  });

  it('a snapshot made by tsvm run loads in the page, and one made by the page loads in tsvm run', async () => {
    // What snapguest prints after its key, run straight through by the CLI.
    const reference = tsvm([SNAPGUEST, '--accel', 'tcg', '--timeout', '60'], 'k');
    const after = reference.stdout.slice(reference.stdout.indexOf('waiting for a key\n') + 18);
    expect(after).toMatch(/^got k\n20 timer ticks\nchecksum \d+\n$/);

    const cliSnap = join(downloads, 'from-cli.snap');
    expect(await cliSnapshotAtKeyWait(cliSnap)).toContain('waiting for a key');
    const page = await openPage();
    await waitForText(page, 'tsvm demo guest');
    await page.setInputFiles('#snapshot-file', cliSnap);
    await waitForMessage(page, 'snapshot loaded: from-cli.snap');
    await page.click('#terminal');
    await page.keyboard.type('k');
    await waitForState(page, 'exited');
    expect(await terminalText(page)).toContain(after.trimEnd());
    expect(await page.textContent('#status')).toContain(`exited (debug-exit status ${reference.status})`);

    await page.reload();
    await dropFile(page, 'snapguest.bin', bytesOf(SNAPGUEST));
    await waitForText(page, 'waiting for a key');
    const pageSnap = await saveSnapshot(page, downloads);
    const resumed = tsvm(['--loadvm', pageSnap.path, '--accel', 'tcg', '--timeout', '60'], 'k');
    expect(resumed.stdout).toBe(after);
    expect(resumed.status).toBe(reference.status);
    await page.close();
  });
});
