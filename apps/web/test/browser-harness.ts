import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { build, type PreviewServer, preview } from 'vite';

export const APP = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Debian's Chromium. Playwright's own browser downloads are not used (and fail here). */
export const CHROMIUM = '/usr/bin/chromium';

export interface ChromiumAvailability {
  readonly path?: string;
  readonly reason: string;
}

function chromiumVersion(): string | undefined {
  const r = spawnSync(CHROMIUM, ['--version'], { encoding: 'utf8', timeout: 60_000 });
  return r.status === 0 && /Chromium/.test(r.stdout) ? r.stdout.trim() : undefined;
}

/** Chromium, installed from Debian (`apt-get install -y chromium`) when missing and we are root. */
export function chromiumAvailability(): ChromiumAvailability {
  const found = chromiumVersion();
  if (found) return { path: CHROMIUM, reason: found };
  if (process.platform !== 'linux' || process.getuid?.() !== 0)
    return {
      reason: `${CHROMIUM} is missing and installing it (apt-get install -y chromium) needs root on Linux`,
    };
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', 'chromium']]) {
    const r = spawnSync('apt-get', args, { encoding: 'utf8', env, timeout: 600_000 });
    if (r.status !== 0)
      return {
        reason: `apt-get ${args.join(' ')} failed: ${(r.stderr || String(r.error)).trim().slice(-300)}`,
      };
  }
  const installed = chromiumVersion();
  return installed
    ? { path: CHROMIUM, reason: installed }
    : { reason: `apt-get installed chromium, but ${CHROMIUM} --version does not run` };
}

/** The production build (static files) in a temporary folder, served by `vite preview`. */
export async function buildAndServe(): Promise<{ url: string; server: PreviewServer }> {
  const outDir = mkdtempSync(join(tmpdir(), 'tsvm-web-'));
  const configFile = join(APP, 'vite.config.ts');
  await build({ root: APP, configFile, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  const server = await preview({
    root: APP,
    configFile,
    logLevel: 'warn',
    build: { outDir },
    preview: { port: 0, host: '127.0.0.1', strictPort: false },
  });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview reported no URL');
  return { url, server };
}

/** Headless Chromium; it runs as root here, which needs --no-sandbox. */
export function launchChromium(path: string): Promise<Browser> {
  return chromium.launch({ executablePath: path, headless: true, args: ['--no-sandbox'] });
}

/** What the guest wrote to the terminal (xterm's buffer, wrapped lines joined). */
export const terminalText = (page: Page) => page.evaluate(() => window.tsvm.text());

export async function waitForText(page: Page, text: string, timeout = 60_000): Promise<void> {
  try {
    await page.waitForFunction((t) => window.tsvm?.text().includes(t), text, { timeout, polling: 50 });
  } catch (e) {
    const seen = await terminalText(page).catch(() => '(page gone)');
    const notes = await page.textContent('#messages').catch(() => '');
    throw new Error(
      `'${text}' did not appear: ${(e as Error).message}\nterminal:\n${seen}\nmessages: ${notes}`,
    );
  }
}

export async function waitForState(page: Page, state: string, timeout = 60_000): Promise<void> {
  try {
    await page.waitForFunction((s) => window.tsvm?.status()?.state === s, state, { timeout, polling: 50 });
  } catch (e) {
    const status = await page.textContent('#status').catch(() => '');
    throw new Error(`state '${state}' not reached: ${(e as Error).message}\nstatus: ${status}`);
  }
}

export async function waitForMessage(page: Page, text: string, timeout = 30_000): Promise<void> {
  await page.waitForFunction((t) => document.getElementById('messages')?.textContent?.includes(t), text, {
    timeout,
    polling: 50,
  });
}

/** Click Save snapshot and keep the download; returns its path and suggested name. */
export async function saveSnapshot(page: Page, dir: string): Promise<{ path: string; name: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save')]);
  const name = download.suggestedFilename();
  const path = join(dir, name);
  await download.saveAs(path);
  return { path, name };
}

/** Drop a file on the page, as a user dragging it from a file manager would. */
export async function dropFile(page: Page, name: string, bytes: Uint8Array): Promise<void> {
  const dataTransfer = await page.evaluateHandle(
    ({ name, data }) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(data)], name));
      return dt;
    },
    { name, data: [...bytes] },
  );
  await page.dispatchEvent('#drop-zone', 'dragover', { dataTransfer });
  await page.dispatchEvent('#drop-zone', 'drop', { dataTransfer });
}
