// Memory bound check (not a test): runs guests/jit/codegen.bin, a guest that writes and compiles
// new code forever, for SECONDS with the block compiler on or off, printing the process RSS
// every few seconds and the compiler's counters at the end.
// Usage (after `pnpm --filter @tsvm/accel-tcg build`): node bench/rss.mjs [on|off] [SECONDS]
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { x86Arch } from '@tsvm/arch-x86';
import { Machine } from '@tsvm/core';
import { TcgAccelerator } from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const rom = new Uint8Array(readFileSync(join(here, '..', 'guests', 'jit', 'codegen.bin')));
const jit = process.argv[2] ?? 'on';
const seconds = Number(process.argv[3] ?? 60);
const accel = new TcgAccelerator({ jit });
let vm;
const create = accel.createVm.bind(accel);
accel.createVm = (o) => (vm = create(o));
const machine = await Machine.create({ arch: x86Arch, accelerator: accel, onShutdown: 'stop' });
machine.memory.addRam('low', 0, 0xa0000);
machine.memory.addRam('high', 0x100000, 31 << 20);
machine.memory.addRom('bios', 0x100000000 - rom.length, rom.length).bytes.set(rom);
machine.memory.addRom('isa-bios', 0x100000 - 0x10000, 0x10000).bytes.set(rom.subarray(rom.length - 0x10000));
machine.ports.register('exit', 0xf4, 4, { write: () => machine.requestStop({ reason: 'quit' }) });
const mib = (b) => (b / 1048576).toFixed(1);
const t0 = performance.now();
const timer = setInterval(() => {
  const v = vm.vcpus[0];
  console.log(
    `${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s  rss ${mib(process.memoryUsage().rss)} MiB  ` +
      `heap ${mib(process.memoryUsage().heapUsed)} MiB  guest instructions ${(v.instructionsRetired / 1e6).toFixed(0)} M  ` +
      `compiled ${v.jit.compiledCount} (${mib(v.jit.bytes)} MiB source held, ${v.jit.evictions} evictions)`,
  );
}, 5000);
await machine.run({ timeoutMs: seconds * 1000 });
clearInterval(timer);
console.log(`jit ${jit}: final rss ${mib(process.memoryUsage().rss)} MiB after ${seconds} s`);
machine.close();
