// Benchmark (not a test): guest instructions per second of tsvm-tcg on the CPU-bound guest
// guests/bin/bench.bin (paging on; calls, branches, memory traffic), median of 5 runs.
// Usage: pnpm --filter @tsvm/accel-tcg bench   (builds, then runs this file against dist/)
//        node bench/run.mjs [iterations] [--profile]   (node --cpu-prof for a profile)
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { x86Arch } from '@tsvm/arch-x86';
import { Machine } from '@tsvm/core';
import { TcgAccelerator } from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const rom = new Uint8Array(readFileSync(join(here, '..', 'guests', 'bin', 'bench.bin')));
const iterations = Number(process.argv[2] ?? 600);
// --sti: run the guest with interrupts enabled (the executor then polls the interrupt lines).
const withInterrupts = process.argv.includes('--sti');
const RUNS = 5;

async function once() {
  const accel = new TcgAccelerator();
  let vm;
  const create = accel.createVm.bind(accel);
  accel.createVm = (o) => (vm = create(o));
  // 50 ms slices: the machine sleeps ~1 ms (a timer tick) between slices; keep that out of the figure.
  const machine = await Machine.create({
    arch: x86Arch,
    accelerator: accel,
    onShutdown: 'stop',
    sliceMs: 50,
  });
  machine.memory.addRam('low', 0, 0xa0000);
  machine.memory.addRam('high', 0x100000, 31 << 20);
  machine.memory.addRom('bios', 0x100000000 - rom.length, rom.length).bytes.set(rom);
  machine.memory.addRom('isa-bios', 0x100000 - rom.length, rom.length).bytes.set(rom);
  machine.memory.write(0x7000, 4, iterations);
  machine.memory.write(0x7004, 4, withInterrupts ? 1 : 0);
  let out = '';
  machine.ports.register('debugcon', 0xe9, 1, { write: (_p, _s, v) => (out += String.fromCharCode(v)) });
  machine.ports.register('exit', 0xf4, 4, {
    write: (_p, _s, v) => machine.requestStop({ reason: 'exit', status: (v << 1) | 1 }),
  });
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const stop = await machine.run({ timeoutMs: 600_000 });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  if (stop.reason !== 'exit') throw new Error(`benchmark guest stopped: ${JSON.stringify(stop)}`);
  const insns = vm.vcpus[0].instructionsRetired;
  machine.close();
  return {
    insns,
    seconds,
    mips: insns / seconds / 1e6,
    cpuMips: insns / cpuSeconds / 1e6,
    checksum: out.trim(),
  };
}

// One warm-up run first (V8 compiles the executor's hot paths), not counted.
const warm = await once();
console.log(`warm-up: ${(warm.insns / 1e6).toFixed(1)} M instructions in ${warm.seconds.toFixed(3)} s`);
const results = [];
for (let k = 0; k < RUNS; k++) {
  const r = await once();
  results.push(r);
  console.log(
    `run ${k + 1}: ${(r.insns / 1e6).toFixed(1)} M instructions in ${r.seconds.toFixed(3)} s = ${r.mips.toFixed(1)} M/s; ` +
      `${r.cpuMips.toFixed(1)} M per CPU-second (checksum ${r.checksum})`,
  );
}
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
// Wall-clock is the figure; per CPU-second is steadier on a shared machine (GC threads count too).
console.log(
  `median: ${median(results.map((r) => r.mips)).toFixed(1)} M guest instructions/s wall-clock, ` +
    `${median(results.map((r) => r.cpuMips)).toFixed(1)} M per CPU-second (${cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version})`,
);
