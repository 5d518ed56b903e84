// Not part of the normal run: TSVM_WEB_SCREENSHOT=1 pnpm --filter @tsvm/web exec vitest run test/screenshot.test.ts
// Takes docs/screenshot.png (used by the README): the page running the demo in Chromium.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP, buildAndServe, chromiumAvailability, launchChromium, waitForText } from './browser-harness.js';

describe.skipIf(process.env.TSVM_WEB_SCREENSHOT !== '1')('README screenshot', () => {
  it('the page running the demo (drawing its Mandelbrot set in a loop)', async () => {
    const chromium = chromiumAvailability();
    if (!chromium.path) throw new Error(chromium.reason);
    const { url, server } = await buildAndServe();
    const browser = await launchChromium(chromium.path);
    try {
      const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
      // The demo draws its set over and over: it is still running when the picture is taken.
      await page.goto(`${url}?cmdline=mandelbrot%3D100000`);
      await waitForText(page, '[####################]');
      await page.waitForTimeout(1200); // the status line has sampled the running guest
      expect(await page.textContent('#status')).toMatch(/^running · [\d.]+ M guest instructions\/s/);
      // Back to the top of the scrollback: the boot report and the first set.
      await page.evaluate(() => window.tsvm.terminal.scrollToTop());
      await page.screenshot({ path: join(APP, 'docs/screenshot.png') });
    } finally {
      await browser.close();
      await server.close();
    }
  }, 300_000);
});
