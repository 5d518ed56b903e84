// Benchmark (not a test): cost per port-I/O exit through the tsvm binding vs a C program doing
// the same ioctls, measured in the same run, median of several alternating runs.
// Usage: node bench/exit-cost.mjs [exits-per-run] [runs]      (after `pnpm --filter @tsvm/accel-kvm build`)
// Writes packages/accel-kvm/BENCHMARKS.md.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, release, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const loadBefore = loadavg()[0];
const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, '..');
const EXITS = Number(process.argv[2] ?? 20_000);
const RUNS = Math.max(5, Number(process.argv[3] ?? 15));

const addon = createRequire(import.meta.url)(join(pkg, 'build/Release/tsvm_kvm.node'));
const c = addon.constants;

// The C baseline, compiled now with the same compiler flags as the addon.
const work = mkdtempSync(join(tmpdir(), 'tsvm-bench-'));
const cProgram = join(work, 'exit-cost');
execFileSync('gcc', ['-O2', '-o', cProgram, join(here, 'exit-cost.c')]);
const runC = () => Number(execFileSync(cProgram, [String(EXITS)], { encoding: 'utf8' }).trim());

/** Same guest, same ioctls, through the binding: KVM_RUN, then read the exit from the run area. */
function runBinding() {
  const sys = addon.openSystem('/dev/kvm');
  const vm = addon.createVm(sys);
  addon.setTssAddr(vm, 0xfeffd000);
  const mem = new Uint8Array(addon.allocateMemory(0x10000));
  mem.set([0xe6, 0x80, 0xeb, 0xfc], 0x1000); // out 0x80, al; jmp back
  addon.setUserMemoryRegion(vm, 0, 0, 0, 0x10000, mem);
  const { handle, run } = addon.createVcpu(vm, 0, addon.getVcpuMmapSize(sys));
  const sregs = addon.getSregs(handle);
  const sv = new DataView(sregs.buffer);
  sv.setBigUint64(0, 0n, true); // cs.base (cs is the first segment of kvm_sregs)
  sv.setUint16(12, 0, true); // cs.selector
  addon.setSregs(handle, sregs);
  const regs = new Uint8Array(c.SIZEOF_REGS);
  const rv = new DataView(regs.buffer);
  rv.setBigUint64(16 * 8, 0x1000n, true);
  rv.setBigUint64(17 * 8, 2n, true);
  addon.setRegs(handle, regs);
  const view = new DataView(run);
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < EXITS; i++) {
    const reason = addon.run(handle);
    if (reason !== c.EXIT_IO) throw new Error(`unexpected exit ${reason}`);
    sink +=
      view.getUint16(c.RUN_IO_PORT, true) +
      view.getUint8(Number(view.getBigUint64(c.RUN_IO_DATA_OFFSET, true)));
  }
  const ns = Number(process.hrtime.bigint() - t0) / EXITS;
  addon.closeVcpu(handle);
  addon.close(vm);
  addon.close(sys);
  return sink >= 0 ? ns : Number.NaN;
}

/** The full backend: Machine + KvmVcpu.run, exit served by the port bus and a JS port handler. */
async function runBackend() {
  let core;
  let arch;
  let kvm;
  try {
    core = await import('@tsvm/core');
    arch = await import('@tsvm/arch-x86');
    kvm = await import('@tsvm/accel-kvm');
  } catch (e) {
    return { skipped: `backend path skipped (build the packages first: ${e.message.split('\n')[0]})` };
  }
  const machine = await core.Machine.create({
    arch: arch.x86Arch,
    accelerator: new kvm.KvmAccelerator(),
    onShutdown: 'stop',
  });
  machine.memory.addRam('ram', 0, 0x10000);
  machine.memory.load(0x1000, new Uint8Array([0xe6, 0x80, 0xeb, 0xfc]));
  const state = machine.vcpus[0].state;
  state.cs = arch.makeSegment({ selector: 0, base: 0, type: 0xb });
  state.eip = 0x1000;
  let n = 0;
  let t0 = 0n;
  let t1 = 0n;
  machine.ports.register('bench', 0x80, 1, {
    write: () => {
      if (n === 0) t0 = process.hrtime.bigint();
      if (++n === EXITS + 1) {
        t1 = process.hrtime.bigint();
        machine.requestStop({ reason: 'quit' });
      }
    },
  });
  await machine.run({ timeoutMs: 120_000 });
  machine.close();
  return Number(t1 - t0) / EXITS;
}

/** JS cost alone: the full backend loop with KVM_RUN stubbed to report the same port-I/O exit. */
async function runBackendJsOnly(exits) {
  let core;
  let arch;
  let kvm;
  try {
    core = await import('@tsvm/core');
    arch = await import('@tsvm/arch-x86');
    kvm = await import('@tsvm/accel-kvm');
  } catch {
    return undefined;
  }
  const real = kvm.loadAddon();
  const stub = () => ({
    ...real,
    createVcpu(vm, id, size) {
      const created = real.createVcpu(vm, id, size);
      const v = new DataView(created.run);
      v.setUint8(c.RUN_IO_DIRECTION, c.IO_OUT);
      v.setUint8(c.RUN_IO_SIZE, 1);
      v.setUint16(c.RUN_IO_PORT, 0x80, true);
      v.setUint32(c.RUN_IO_COUNT, 1, true);
      v.setBigUint64(c.RUN_IO_DATA_OFFSET, 4096n, true);
      return created;
    },
    run: () => c.EXIT_IO,
  });
  const machine = await core.Machine.create({
    arch: arch.x86Arch,
    accelerator: new kvm.KvmAccelerator({ addon: stub }),
    onShutdown: 'stop',
    sliceMs: 200,
  });
  let n = 0;
  let t0 = 0n;
  let t1 = 0n;
  machine.ports.register('bench', 0x80, 1, {
    write: () => {
      if (n === 0) t0 = process.hrtime.bigint();
      if (++n === exits + 1) {
        t1 = process.hrtime.bigint();
        machine.requestStop({ reason: 'quit' });
      }
    },
  });
  await machine.run({ timeoutMs: 120_000 });
  machine.close();
  return Number(t1 - t0) / exits;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const cRuns = [];
const bindingRuns = [];
const backendRuns = [];
let backendNote;
for (let r = 0; r < RUNS; r++) {
  // Alternate so drift on a shared machine hits all three alike.
  cRuns.push(runC());
  bindingRuns.push(runBinding());
  const b = await runBackend();
  if (typeof b === 'number') backendRuns.push(b);
  else backendNote = b.skipped;
  console.log(
    `run ${r + 1}/${RUNS}: C ${cRuns.at(-1).toFixed(0)} ns, binding ${bindingRuns.at(-1).toFixed(0)} ns, backend ${backendRuns.at(-1)?.toFixed(0) ?? '-'} ns per exit`,
  );
}
rmSync(work, { recursive: true, force: true });
const jsOnlyRuns = [];
for (let r = 0; r < 5; r++) {
  const ns = await runBackendJsOnly(1_000_000);
  if (ns !== undefined) jsOnlyRuns.push(ns);
}
const jsOnly = jsOnlyRuns.length ? median(jsOnlyRuns) : undefined;

const cMed = median(cRuns);
const bindingMed = median(bindingRuns);
const backendMed = backendRuns.length ? median(backendRuns) : undefined;
// Ratios are taken run by run (each path against the C run just before it) and then the median:
// on a shared machine this cancels load that drifts over the whole measurement.
const bindingRatio = median(bindingRuns.map((b, i) => b / cRuns[i]));
const backendRatio = backendRuns.length ? median(backendRuns.map((b, i) => b / cRuns[i])) : undefined;
const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
const model = /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? 'unknown CPU';
const hw = /^flags\s*:.*\b(vmx|svm)\b/m.test(cpuinfo);
let kvmModule = 'kvm';
try {
  kvmModule = readFileSync('/proc/modules', 'utf8').includes('kvm_pvm') ? 'kvm_pvm' : kvmModule;
} catch {}
if (!hw) {
  try {
    execFileSync('test', ['-d', '/sys/module/kvm_pvm']);
    kvmModule = 'kvm_pvm';
  } catch {}
}
const fmt = (ns) => `${(ns / 1000).toFixed(2)} µs`;
/** A Markdown table with padded columns (the layout the repository's formatter keeps). */
const table = (rows) => {
  const widths = rows[0].map((_, i) => Math.max(3, ...rows.map((r) => r[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(rows[0]), line(widths.map((w) => '-'.repeat(w))), ...rows.slice(1).map(line)].join('\n');
};
const md = `# accel-kvm benchmarks

## Cost per port-I/O exit: binding vs C

Generated by \`node packages/accel-kvm/bench/exit-cost.mjs\` on ${new Date().toISOString().slice(0, 10)}.
A real-mode guest loops on \`out 0x80, al\`; each iteration is one KVM_EXIT_IO. The C program
(\`bench/exit-cost.c\`, compiled with \`gcc -O2\` at bench time) and the binding issue the same
ioctls (KVM_RUN, then read the exit from the shared run area). ${EXITS} exits per run, ${RUNS} runs
of each, alternating; per-exit times are medians, ratios are medians of run-by-run ratios to the
C run just before.

${table([
  ['path', 'per exit (median)', 'ratio to C'],
  ['C program', fmt(cMed), '1.00'],
  [
    'binding (`addon.run` + DataView read of the run area)',
    fmt(bindingMed),
    `**${bindingRatio.toFixed(2)}**`,
  ],
  [
    'full backend (Machine + KvmVcpu.run + IoPortBus + JS handler; 200 ms slices)',
    backendMed ? fmt(backendMed) : 'n/a',
    backendRatio ? backendRatio.toFixed(2) : backendNote,
  ],
])}

The JavaScript work of the full backend loop alone (KVM_RUN stubbed to return the same exit,
1,000,000 exits, median of 5): ${jsOnly === undefined ? 'n/a (packages not built)' : `${jsOnly.toFixed(0)} ns per exit`}. So whatever the
full backend costs beyond the binding row is not JavaScript: its vCPU is set up differently (CPUID
set, full register state written), and which part of that costs more per exit on this software
KVM has not been isolated.

Runs (ns/exit): C ${cRuns.map((x) => x.toFixed(0)).join(', ')}; binding ${bindingRuns.map((x) => x.toFixed(0)).join(', ')}; backend ${backendRuns.map((x) => x.toFixed(0)).join(', ') || 'n/a'}.

Machine: ${model}, ${cpus().length} logical CPUs (shared with other work: 1-minute load average\n${loadBefore.toFixed(2)} before and ${loadavg()[0].toFixed(2)} after the measurement), Linux ${release()}, Node ${process.version}.
KVM here is ${hw ? 'hardware-assisted (vmx/svm present)' : `a **software** path (\`${kvmModule}\`, no vmx/svm in /proc/cpuinfo)`}: real-mode code is
emulated instruction by instruction, so the exit itself dominates and these absolute figures say
nothing about hardware KVM. The ratio is the figure of interest (aim: within 1.2x of C).
`;
writeFileSync(join(pkg, 'BENCHMARKS.md'), md);
console.log(
  `\nmedians: C ${fmt(cMed)}, binding ${fmt(bindingMed)}, backend ${backendMed ? fmt(backendMed) : 'n/a'}; paired ratios to C: binding ${bindingRatio.toFixed(2)}, backend ${backendRatio?.toFixed(2) ?? 'n/a'}`,
);
console.log(`wrote ${join(pkg, 'BENCHMARKS.md')}`);
