// Micro-benchmarks (not tests): what one block boundary and one simple instruction cost.
//   loop: `dec ecx; jnz` — two instructions per block, so mostly block-entry overhead.
//   line: 60 × `add eax, ebx` then `dec ecx; jnz` — mostly per-instruction dispatch.
// Usage: pnpm --filter @tsvm/accel-tcg build && node bench/micro.mjs
import { makeSegment, x86Arch } from '@tsvm/arch-x86';
import { Machine } from '@tsvm/core';
import { TcgAccelerator } from '../dist/index.js';

const hex = (s) =>
  Uint8Array.from(
    s
      .trim()
      .split(/\s+/)
      .map((b) => Number.parseInt(b, 16)),
  );
const programs = {
  loop: hex('b9 00 2d 31 01 49 75 fd f4'), // mov ecx, 20000000 / l: dec ecx / jnz l / hlt
  line: hex(`b9 20 a1 07 00 ${'01 d8 '.repeat(60)} 49 75 85 f4`), // mov ecx, 500000 / l: 60 × add eax, ebx / dec ecx / jnz l / hlt
};

async function run(name) {
  const accel = new TcgAccelerator();
  let vm;
  const create = accel.createVm.bind(accel);
  accel.createVm = (o) => (vm = create(o));
  const m = await Machine.create({ arch: x86Arch, accelerator: accel, onShutdown: 'stop', sliceMs: 50 });
  m.memory.addRam('ram', 0, 0x100000);
  m.memory.load(0x7c00, programs[name]);
  const s = m.vcpus[0].state;
  s.cr0 |= 1;
  const flat = (type, sel) =>
    makeSegment({ selector: sel, base: 0, limit: 0xffffffff, type, db: true, g: true });
  s.cs = flat(0xb, 8);
  s.ds = flat(3, 16);
  s.es = flat(3, 16);
  s.ss = flat(3, 16);
  s.eip = 0x7c00;
  const c0 = process.cpuUsage();
  await m.run({ timeoutMs: 60_000 });
  const c = process.cpuUsage(c0);
  const n = vm.vcpus[0].instructionsRetired;
  const sec = (c.user + c.system) / 1e6;
  return { n, perCpuSecond: n / sec, nsPerInsn: (sec / n) * 1e9 };
}

for (const name of ['loop', 'line', 'loop', 'line']) {
  const r = await run(name);
  console.log(
    `${name}: ${(r.n / 1e6).toFixed(1)} M instructions, ${(r.perCpuSecond / 1e6).toFixed(1)} M per CPU-second, ${r.nsPerInsn.toFixed(2)} ns each`,
  );
}
