// Counts, once and independently of tsvm, how many guest instructions each benchmark guest
// executes from its entry point to its debug-exit write, and writes instructions.json.
//
// How: QEMU TCG with one instruction per translation block (-singlestep), no block chaining
// and the `exec` log restricted (-dfilter) to the kernel's 1 MiB..2 MiB window, so each logged
// "Trace" line is one executed kernel instruction (the BIOS and option ROM are outside the
// window). A "Stopped execution of TB chain" line marks a block that was entered but not run.
// The workload guests are counted at 1, 2 and 3 iterations; the guest does identical work per
// iteration, so the count must be exactly linear, which is checked, then extrapolated to the
// iteration count the committed image was built with.
// The only executor-dependent part is the UART transmit poll (a few instructions per printed
// byte when a VMM reports the transmitter busy); QEMU reports it idle, as do tsvm and v86.
//
// Usage: node count-instructions.mjs   (needs nasm, ld and qemu-system-i386)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'tsvm-bench-count-'));

function build(name, source, flags) {
  const obj = join(work, `${name}.o`);
  const elf = join(work, `${name}.elf`);
  execFileSync('nasm', ['-f', 'elf32', ...flags, '-o', obj, join(here, source)], { cwd: here });
  execFileSync('ld', [
    '-m',
    'elf_i386',
    '-z',
    'noseparate-code',
    '--no-warn-rwx-segments',
    '--build-id=none',
    '-n',
    '-T',
    join(here, 'linker.ld'),
    '-o',
    elf,
    obj,
  ]);
  return elf;
}

function count(elf) {
  const log = join(work, 'exec.log');
  try {
    execFileSync(
      'qemu-system-i386',
      [
        '-kernel',
        elf,
        '-device',
        'isa-debug-exit,iobase=0xf4,iosize=4',
        '-serial',
        'null',
        '-display',
        'none',
        '-nodefaults',
        '-no-reboot',
        '-accel',
        'tcg',
        '-singlestep',
        '-d',
        'exec,nochain',
        '-dfilter',
        '0x100000+0x100000',
        '-D',
        log,
      ],
      { stdio: 'ignore' },
    );
  } catch (e) {
    if (e.status !== 1) throw new Error(`${elf}: QEMU exited with status ${e.status}, expected 1`);
  }
  let executed = 0;
  for (const line of readFileSync(log, 'latin1').split('\n')) {
    if (line.startsWith('Trace ')) executed++;
    else if (line.startsWith('Stopped execution of TB chain')) executed--;
  }
  rmSync(log);
  return executed;
}

/** The guest's serial output under QEMU TCG: the reference every subject's output must equal. */
function outputOf(elf) {
  return execFileSync('sh', [
    '-c',
    `qemu-system-i386 -kernel '${elf}' -m 256M -device isa-debug-exit,iobase=0xf4,iosize=4 -serial stdio -display none -nodefaults -no-reboot -accel tcg; true`,
  ]).toString('latin1');
}

function iterationsOf(output, elf) {
  const m = /iterations=([0-9a-f]{8}) /.exec(output);
  if (!m) throw new Error(`${elf}: printed no iterations= (${JSON.stringify(output)})`);
  return Number.parseInt(m[1], 16);
}

const result = {
  method: 'qemu-system-i386 TCG, -singlestep -d exec,nochain -dfilter 0x100000+0x100000',
  guests: {},
};
for (const [name, flags] of [
  ['int', []],
  ['paging', ['-DPAGING']],
]) {
  const c = [1, 2, 3].map((n) => count(build(`${name}-x${n}`, 'int.asm', [...flags, `-DITERATIONS=${n}`])));
  const perIteration = c[1] - c[0];
  if (c[2] - c[1] !== perIteration) throw new Error(`${name}: counts ${c} are not linear in iterations`);
  const fixed = c[0] - perIteration;
  const output = outputOf(join(here, `${name}.elf`));
  const iterations = iterationsOf(output, name);
  result.guests[name] = {
    fixed,
    perIteration,
    iterations,
    instructions: fixed + perIteration * iterations,
    output,
  };
}
// Port writes of the port-I/O guests, by construction: the loop runs COUNT times, one OUT each.
const buildScript = readFileSync(join(here, 'build.sh'), 'utf8');
for (const name of ['tiny', 'portio', 'portio-quick', 'portio-base']) {
  const elf = join(here, `${name}.elf`);
  result.guests[name] = { instructions: count(elf), output: outputOf(elf) };
  const m = new RegExp(`build ${name} portio\\.asm -DCOUNT=(\\d+)`).exec(buildScript);
  if (m) result.guests[name].portWrites = Number(m[1]);
}
// The fill guest is not counted: it is only used for snapshots, and its REP STOSD would be
// logged once per iteration (63 M lines). Its reference output is recorded.
result.guests.fill = { output: outputOf(join(here, 'fill.elf')) };
rmSync(work, { recursive: true });
writeFileSync(join(here, 'instructions.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
