// Not part of the normal run: TSVM_WEB_BENCH=1 pnpm --filter @tsvm/web exec vitest run test/bench.test.ts
// The page's own status-line figure (guest instructions per second) on the demo's Mandelbrot
// loop in Chromium, next to the same guest on the same VmSession code under Node.
import { cpus, loadavg } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { VmStatus } from '../src/protocol.js';
import { VmSession } from '../src/vm-session.js';
import { buildAndServe, chromiumAvailability, launchChromium, waitForText } from './browser-harness.js';
import { bytesOf, DEMO } from './guests.js';

const enabled = process.env.TSVM_WEB_BENCH === '1';
const CMDLINE = `mandelbrot=${process.env.TSVM_WEB_BENCH_DRAWS ?? 1500}`;
const PIT_DONE = '[####################]'; // the Mandelbrot loop starts right after this line
const SAMPLE_MS = 500;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mips = (xs: number[]) =>
  `median ${(median(xs) / 1e6).toFixed(1)} M/s over ${xs.length} samples (${(Math.min(...xs) / 1e6).toFixed(1)}–${(Math.max(...xs) / 1e6).toFixed(1)})`;

/** What a sample sees: has the Mandelbrot loop started, has the guest finished, the status. */
interface Probe {
  readonly started: boolean;
  readonly done: boolean;
  readonly status: VmStatus | undefined;
}

/** Status samples taken every SAMPLE_MS while the Mandelbrot loop runs (the first straddles the PIT phase: dropped). */
async function sampleMandelbrot(probe: (started: boolean) => Promise<Probe>): Promise<number[]> {
  const rates: number[] = [];
  let started = false;
  for (;;) {
    await new Promise((r) => setTimeout(r, SAMPLE_MS));
    const p = await probe(started);
    if (p.done || p.status?.state !== 'running') break;
    started ||= p.started;
    if (started) rates.push(p.status.instructionsPerSecond);
  }
  return rates.slice(1);
}

describe.skipIf(!enabled)('guest instructions per second on the demo Mandelbrot loop', () => {
  it('in Chromium (the page status line) and under Node (same VmSession)', async () => {
    console.log(
      `machine: ${cpus()[0]?.model}, ${cpus().length} CPUs, load average ${loadavg()[0].toFixed(1)}`,
    );
    const chromium = chromiumAvailability();
    if (!chromium.path) throw new Error(chromium.reason);
    const { url, server } = await buildAndServe();
    const browser = await launchChromium(chromium.path);
    try {
      const page = await browser.newPage();
      await page.goto(url);
      await page.fill('#cmdline', CMDLINE);
      await page.setInputFiles('#image-file', DEMO);
      await waitForText(page, `command line: '${CMDLINE}'`);
      const page1 = await sampleMandelbrot((started) =>
        page.evaluate(
          ({ started, PIT_DONE }) => {
            // Only the last lines once the loop runs: reading all of the scrollback costs the page time.
            const buffer = window.tsvm.terminal.buffer.active;
            let tail = '';
            for (let i = Math.max(0, buffer.length - 40); i < buffer.length; i++)
              tail += `${buffer.getLine(i)?.translateToString(true)}\n`;
            return {
              started: started || window.tsvm.text().includes(PIT_DONE),
              done: tail.includes('Done:'),
              status: window.tsvm.status(),
            };
          },
          { started, PIT_DONE },
        ),
      );
      console.log(`${chromium.reason}: ${mips(page1)}`);
      expect(page1.length).toBeGreaterThan(2);
    } finally {
      await browser.close();
      await server.close();
    }

    let text = '';
    const session = new VmSession({
      serial: (b) => {
        text += new TextDecoder().decode(b);
      },
      booted: () => {},
      status: () => {},
      note: () => {},
    });
    await session.boot(bytesOf(DEMO), 'demo.bin', { cmdline: CMDLINE });
    const node = await sampleMandelbrot(async () => ({
      started: text.includes(PIT_DONE),
      done: text.includes('Done:'),
      status: session.status(),
    }));
    await session.close();
    console.log(`Node ${process.version}: ${mips(node)}`);
    console.log(`load average after: ${loadavg()[0].toFixed(1)}`);
    expect(node.length).toBeGreaterThan(2);
  }, 600_000);
});
