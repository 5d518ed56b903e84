// Benchmark (not a test): the compiled-C guest of `pnpm bench` (tools/bench/guests/c/cmark.elf)
// through @tsvm/pc in this process, block compiler on or off. Prints the wall time of
// machine.run() per run and the median; with --series, guest instructions per second every
// 100 ms and how many functions were compiled by then (the compiler's warm-up ramp).
// Usage: node bench/cmark.mjs [on|off] [--runs N] [--series]   (against dist/: build first)
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const USAGE = 'usage: node bench/cmark.mjs [on|off] [--runs N] [--series]';
const args = process.argv.slice(2);
let jit = 'on';
let runs = 1;
let series = false;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === 'on' || a === 'off') jit = a;
  else if (a === '--series') series = true;
  else if (a === '--runs') {
    runs = Number(args[++i]);
    if (!Number.isSafeInteger(runs) || runs < 1) {
      console.error(`cmark.mjs: --runs needs a positive whole number, not '${args[i] ?? ''}'\n${USAGE}`);
      process.exit(2);
    }
  } else {
    console.error(`cmark.mjs: unknown argument '${a}'\n${USAGE}`);
    process.exit(2);
  }
}
// (loaded after the arguments are checked: they need the packages built)
const { createPcMachine, planMultiboot } = await import('@tsvm/pc');
const { TcgAccelerator } = await import('../dist/index.js');
const here = dirname(fileURLToPath(import.meta.url));
const image = readFileSync(join(here, '..', '..', '..', 'tools', 'bench', 'guests', 'c', 'cmark.elf'));

async function once() {
  const accel = new TcgAccelerator({ jit });
  let vm;
  const create = accel.createVm.bind(accel);
  accel.createVm = (o) => (vm = create(o));
  let output = '';
  const pc = await createPcMachine({
    accelerator: accel,
    ramBytes: 128 << 20,
    serialOutput: (byte) => {
      output += String.fromCharCode(byte);
    },
  });
  pc.setBoot(planMultiboot(image, pc.machine.memory, pc.layout, {}));
  const vcpu = vm.vcpus[0];
  const samples = [];
  const t0 = performance.now();
  const timer = series
    ? setInterval(
        () => samples.push([performance.now() - t0, vcpu.instructionsRetired, vcpu.jit.compiledCount]),
        100,
      )
    : undefined;
  const stop = await pc.machine.run();
  const ms = performance.now() - t0;
  clearInterval(timer);
  if (stop.reason !== 'exit' || !output.includes(', ok'))
    throw new Error(`cmark failed: ${output} ${JSON.stringify(stop)}`);
  let last = [0, 0];
  for (const [t, retired, compiled] of samples) {
    const rate = (retired - last[1]) / (t - last[0]) / 1000;
    console.log(
      `  ${t.toFixed(0).padStart(5)} ms  ${rate.toFixed(1).padStart(6)} M instructions/s  ${compiled} compiled`,
    );
    last = [t, retired];
  }
  return ms;
}

const times = [];
for (let i = 0; i < runs; i++) {
  const ms = await once();
  times.push(ms);
  console.log(`cmark, compiler ${jit}: ${(ms / 1000).toFixed(3)} s`);
}
times.sort((a, b) => a - b);
if (runs > 1) console.log(`median of ${runs}: ${(times[(runs - 1) >> 1] / 1000).toFixed(3)} s`);
