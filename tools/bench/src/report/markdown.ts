import type { PeerStatus } from '../peers.js';
import type { SubjectId } from '../subjects.js';
import type { BenchReport, Cell, CompiledCSubject } from './model.js';

const esc = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function ms(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(value < 10 ? 2 : 1)} ms`;
}

function fileSize(bytes: number | undefined): string {
  if (bytes === undefined) return '—';
  return bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

export function formatCell(cell: Cell | undefined): string {
  if (!cell) return 'not available: not measured';
  if (cell.status === 'ok') return ms(cell.medianMs);
  return `${cell.status}: ${esc(cell.reason)}`;
}

function perSecond(value: number | undefined): string {
  if (value === undefined) return '—';
  if (value >= 1e9) return `${(value / 1e9).toFixed(2)} G/s`;
  if (value >= 1e6) return `${(value / 1e6).toFixed(1)} M/s`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(1)} k/s`;
  return `${value.toFixed(0)} /s`;
}

function peer(status: PeerStatus): string {
  if (status.status === 'missing') return `missing: ${esc(status.reason)}`;
  return `${esc(status.version)}${status.installedNow ? ' (installed by this run)' : ''}`;
}

const LABEL: Record<SubjectId, string> = {
  'tsvm-tcg': 'tsvm (TCG)',
  'tsvm-kvm': 'tsvm (KVM)',
  'qemu-tcg': 'QEMU (TCG)',
  'qemu-kvm': 'QEMU (KVM)',
  v86: 'v86',
};

/** BENCHMARKS.md: every figure from the report, every missing one with its reason. */
export function renderMarkdown(r: BenchReport): string {
  const e = r.environment;
  const out: string[] = [];
  out.push('# tsvm benchmarks', '');
  if (r.provisional) out.push(`> **PROVISIONAL** — ${esc(r.provisional)}. Do not quote these figures.`, '');
  out.push(
    `Written by \`pnpm bench\` (tools/bench) on ${e.date} at commit \`${e.commit}\`${e.dirty ? ' (with uncommitted changes)' : ''}.`,
    `Every figure is the median of ${r.runsPerMeasurement} runs, alternating between subjects (A, B, C, A, B, C, …). Rows that could not be measured say why.`,
    '',
    '| machine | |',
    '|---|---|',
    `| CPU | ${esc(e.cpuModel)} |`,
    `| cores | ${e.cores} |`,
    `| KVM | ${esc(e.kvm.note)} |`,
    `| Node.js | ${e.node} |`,
    `| QEMU | ${peer(r.peers.qemu)} |`,
    `| v86 | ${peer(r.peers.v86)} |`,
    `| load average (1/5/15 min) at start → end | ${e.loadAverage.join(' / ')} → ${r.loadAverageAfter.join(' / ')} |`,
    '',
  );

  out.push(
    '## TCG throughput',
    '',
    "CPU-bound guests (tools/bench/guests: quicksort with recursion, a sortedness check through calls, a sieve and a bitwise CRC-32; `paging` runs the same work with 4 KiB paging on). Guest instructions were counted once under QEMU (guests/count-instructions.mjs), so instructions per second is the same work for every subject. Wall time is process start to exit and includes start-up (QEMU boots SeaBIOS first); the last-but-one column subtracts each subject's own tiny-guest run time. Ratio: tsvm-tcg wall time ÷ the subject's (above 1 means tsvm is slower). The executor's in-process figure and a profile of where its time goes are in packages/accel-tcg/BENCHMARKS.md.",
    '',
    '| guest | subject | wall time | guest instructions/s | instructions/s excl. start-up | tsvm-tcg ÷ subject |',
    '|---|---|---|---|---|---|',
  );
  for (const row of r.throughput) {
    for (const id of ['tsvm-tcg', 'qemu-tcg', 'v86'] as const) {
      const ratio = id === 'tsvm-tcg' ? '—' : row.tsvmTcgVs[id] !== undefined ? `${row.tsvmTcgVs[id]}×` : '—';
      out.push(
        `| ${row.guest} (${row.instructions.toLocaleString('en-US')} instr.) | ${LABEL[id]} | ${formatCell(row.wall[id])} | ${perSecond(row.instructionsPerSecond[id])} | ${perSecond(row.instructionsPerSecondExStartup[id])} | ${ratio} |`,
      );
    }
  }
  out.push('');

  const C_LABEL: Record<CompiledCSubject, string> = {
    'tsvm-tcg-interpreter': 'tsvm (TCG, interpreter)',
    'tsvm-tcg-compiler': 'tsvm (TCG, block compiler)',
    'qemu-tcg': 'QEMU (TCG)',
    v86: 'v86',
  };
  out.push(
    '## Compiled C',
    '',
    "Freestanding C built with `gcc -m32 -march=i686 -O2` (tools/bench/guests/c): `cmark` is the embedded-benchmark mix (linked-list find/reverse/merge sort, matrix multiply/add/scale, a byte-level state machine, CRC-16/CRC-32); `fmark` is double-precision x87 code (`-mfpmath=387`: Mandelbrot, Simpson's rule, an n-body step with sqrt). A run counts only if it prints the checksum the host build of the same C computed. Wall time is process start to exit, start-up included. tsvm runs with `--tcg-jit off` and `--tcg-jit on` when its CLI has the option (otherwise its only executor, the interpreter). Ratios: that tsvm configuration's median ÷ the subject's (above 1 means the subject is faster).",
    '',
    '| workload | subject | wall time | tsvm interpreter ÷ subject | tsvm block compiler ÷ subject |',
    '|---|---|---|---|---|',
  );
  for (const row of r.compiledC) {
    for (const id of ['tsvm-tcg-interpreter', 'tsvm-tcg-compiler', 'qemu-tcg', 'v86'] as const) {
      const vs = (ratio: number | undefined) => (ratio !== undefined ? `${ratio}×` : '—');
      out.push(
        `| ${row.workload} (${row.iterations} rounds${row.x87 ? ', x87' : ''}) | ${C_LABEL[id]} | ${formatCell(row.wall[id])} | ${vs(row.interpreterVs[id])} | ${vs(row.compilerVs[id])} |`,
      );
    }
  }
  out.push('');

  out.push(
    '## Start-up',
    '',
    'A guest that prints one byte and exits (tools/bench/guests/tiny.asm). v86 has no debug-exit device: its "exit" is the runner process ending once the byte arrived.',
    '',
    '| subject | process start → first serial byte | process start → exit |',
    '|---|---|---|',
  );
  for (const row of r.startup)
    out.push(`| ${LABEL[row.subject]} | ${formatCell(row.firstByte)} | ${formatCell(row.exit)} |`);
  out.push('');

  const k = r.kvmExit;
  out.push('## KVM exit cost', '', `KVM on this machine: ${esc(e.kvm.note)}.`, '');
  const bench = k.accelKvmBench;
  out.push(
    bench.status === 'ok'
      ? `* tsvm-kvm binding vs a C program doing the same ioctls (packages/accel-kvm bench, from ${bench.source}): **${bench.ratioVsC}×** the C program's per-exit cost (${(bench.ratios ?? []).map((r) => `${esc(r.label)}: ${r.ratio}×`).join('; ')}).`
      : `* tsvm-kvm binding vs a C program doing the same ioctls: ${bench.status}: ${esc(bench.reason ?? '')}`,
    `* Same port-I/O guest on tsvm-kvm and QEMU KVM (tools/bench/guests/portio.asm): per-exit cost = (median wall time with N OUT instructions − median with none) ÷ N.${k.tsvmVsQemuKvm !== undefined ? ` tsvm-kvm ÷ QEMU KVM: **${k.tsvmVsQemuKvm}×**.` : ''}`,
    '',
    '| subject | port writes N | wall time with N exits | wall time without | per exit |',
    '|---|---|---|---|---|',
  );
  for (const row of k.portIo) {
    const per = row.perExitUs !== undefined ? `${row.perExitUs} µs` : row.reason ? esc(row.reason) : '—';
    out.push(
      `| ${LABEL[row.subject]} | ${row.portWrites} | ${formatCell(row.withExits)} | ${formatCell(row.baseline)} | ${per} |`,
    );
  }
  out.push('');

  out.push(
    '## Snapshot',
    '',
    "Through the Machine API with tsvm's TCG accelerator: save = `machine.save()` + atomic file write (temp file, fsync, rename); load = file read + `machine.load()` into a fresh machine (the file is in the page cache), RAM verified equal afterwards. Zero pages are left out of snapshots, hence two scenarios.",
    '',
    '| guest RAM | scenario | snapshot file | save | load |',
    '|---|---|---|---|---|',
  );
  for (const row of r.snapshot) {
    const size =
      row.fileBytes === undefined
        ? '—'
        : row.fileBytes >= 2 ** 20
          ? `${(row.fileBytes / 2 ** 20).toFixed(1)} MiB`
          : `${(row.fileBytes / 1024).toFixed(1)} KiB`;
    out.push(
      `| ${row.ramMiB} MiB | ${row.scenario} | ${size} | ${formatCell(row.save)} | ${formatCell(row.load)} |`,
    );
  }
  out.push('');

  out.push(
    'End to end through the `tsvm` command (TCG): the guest run alone, with `--savevm-at-exit FILE`, and a whole `tsvm run --loadvm FILE` process (start-up, file read, load; the resumed guest is past its exit write and halts at once). Save cost = save run − plain run.',
    '',
    '| guest RAM | scenario | snapshot file | `tsvm run` | with `--savevm-at-exit` | save cost | `tsvm run --loadvm` |',
    '|---|---|---|---|---|---|---|',
  );
  for (const row of r.snapshotCli) {
    const cost = row.saveCostMs !== undefined ? ms(row.saveCostMs) : '—';
    out.push(
      `| ${row.ramMiB} MiB | ${row.scenario} | ${fileSize(row.fileBytes)} | ${formatCell(row.plain)} | ${formatCell(row.save)} | ${cost} | ${formatCell(row.load)} |`,
    );
  }
  out.push('');

  if (r.linuxBoot) {
    out.push(
      "Linux boot: Debian 12's `linux-image-686` and the busybox initramfs of `tsvm fetch-linux`, `console=ttyS0`, 128 MiB, the same files for every subject; process start to the initramfs's /init banner and to the shell prompt.",
      '',
      '| subject | /init banner | shell prompt |',
      '|---|---|---|',
    );
    for (const row of r.linuxBoot)
      out.push(`| ${LABEL[row.subject]} | ${formatCell(row.banner)} | ${formatCell(row.prompt)} |`);
    out.push('');
  }

  const unavailable = Object.entries(r.subjects).filter(([, s]) => !s.available);
  if (unavailable.length > 0) {
    out.push('## Subjects not available in this run', '');
    for (const [id, s] of unavailable) out.push(`* ${LABEL[id as SubjectId]}: ${esc(s.reason ?? '')}`);
    out.push('');
  }
  out.push('Machine-readable: BENCHMARKS.json beside this file (same figures plus every sample).', '');
  return out.join('\n');
}
