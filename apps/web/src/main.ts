import '@xterm/xterm/css/xterm.css';
import './style.css';
import demoUrl from '@tsvm/pc/guests/demo/demo.bin?url';
import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import type { PageMessage, VmStatus, WorkerMessage } from './protocol.js';
import { formatStatus } from './status-line.js';

const SNAPSHOT_MAGIC = new TextEncoder().encode('TSVMSNAP');
/** Larger files are refused before they are read (RAM up to 512 MiB plus device state). */
const MAX_FILE_BYTES = 640 * 1024 * 1024;
const MAX_MESSAGES = 6;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const runButton = $<HTMLButtonElement>('run');
const statusLine = $<HTMLDivElement>('status');
const messages = $<HTMLDivElement>('messages');
const cmdline = $<HTMLInputElement>('cmdline');
const ram = $<HTMLSelectElement>('ram');
const dropZone = $<HTMLElement>('drop-zone');

const terminal = new Terminal({
  convertEol: true, // guests often end lines with LF alone
  cursorBlink: true,
  fontSize: 14,
  scrollback: 5000,
  theme: { background: '#111418' },
});
const fit = new FitAddon();
terminal.loadAddon(fit);
terminal.open($('terminal'));
// Rows and columns follow the space the page gives the terminal.
new ResizeObserver(() => fit.fit()).observe($('terminal'));
terminal.focus();

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
const send = (message: PageMessage, transfer: Transferable[] = []) => worker.postMessage(message, transfer);

let lastStatus: VmStatus | undefined;

function note(level: 'info' | 'error', text: string): void {
  const line = document.createElement('div');
  line.className = level;
  line.textContent = `${new Date().toLocaleTimeString()}  ${text}`;
  messages.append(line);
  while (messages.childElementCount > MAX_MESSAGES) messages.firstElementChild?.remove();
}

worker.addEventListener('message', (event: MessageEvent<WorkerMessage>) => {
  const m = event.data;
  switch (m.type) {
    case 'serial':
      terminal.write(m.bytes);
      break;
    case 'booted':
      terminal.reset(); // only now: a refused image leaves the running guest's screen alone
      break;
    case 'status':
      lastStatus = m.status;
      statusLine.textContent = formatStatus(m.status);
      statusLine.dataset.state = m.status.state;
      runButton.textContent = m.status.state === 'running' ? 'Stop' : 'Start';
      break;
    case 'note':
      note(m.level, m.text);
      break;
    case 'snapshot':
      download(m.bytes, m.name);
      break;
  }
});
worker.addEventListener('error', (e) => note('error', `the machine's worker failed: ${e.message}`));

function download(bytes: Uint8Array, name: string): void {
  const url = URL.createObjectURL(
    new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }),
  );
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

function boot(image: Uint8Array, name: string): void {
  send({ type: 'boot', image, name, cmdline: cmdline.value, ramBytes: Number(ram.value) * 1024 * 1024 }, [
    image.buffer,
  ]);
}

const isSnapshot = (bytes: Uint8Array) => SNAPSHOT_MAGIC.every((b, i) => bytes[i] === b);

/** A file from the picker or a drop: a snapshot is loaded, anything else booted. */
async function open(file: File, expect: 'snapshot' | 'any'): Promise<void> {
  if (file.size > MAX_FILE_BYTES) return note('error', `'${file.name}' is ${file.size} bytes: too large`);
  const bytes = new Uint8Array(await file.arrayBuffer());
  const snapshot = isSnapshot(bytes);
  if (expect === 'snapshot' && !snapshot)
    return note('error', `cannot load '${file.name}': not a tsvm snapshot (no TSVMSNAP magic)`);
  if (snapshot) send({ type: 'load', snapshot: bytes, name: file.name }, [bytes.buffer]);
  else boot(bytes, file.name);
  terminal.focus();
}

terminal.onData((data) => {
  const bytes = new TextEncoder().encode(data);
  send({ type: 'input', bytes }, [bytes.buffer]);
});

runButton.addEventListener('click', () => {
  send({ type: lastStatus?.state === 'running' ? 'stop' : 'start' });
  terminal.focus();
});
$('reset').addEventListener('click', () => send({ type: 'reset' }));
$('save').addEventListener('click', () => send({ type: 'save' }));
for (const [id, expect] of [
  ['snapshot-file', 'snapshot'],
  ['image-file', 'any'],
] as const) {
  const input = $<HTMLInputElement>(id);
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    input.value = ''; // the same file can be picked again
    if (file) void open(file, expect);
  });
}

dropZone.addEventListener('dragover', (e) => {
  e.preventDefault();
  dropZone.classList.add('dragging');
});
dropZone.addEventListener('dragleave', () => dropZone.classList.remove('dragging'));
dropZone.addEventListener('drop', (e) => {
  e.preventDefault();
  dropZone.classList.remove('dragging');
  const file = e.dataTransfer?.files[0];
  if (file) void open(file, 'any');
});

// For tests and the curious: the terminal's text, as the guest wrote it.
declare global {
  interface Window {
    tsvm: { terminal: Terminal; text(): string; status(): VmStatus | undefined };
  }
}
window.tsvm = {
  terminal,
  text() {
    const buffer = terminal.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < buffer.length; i++) {
      const line = buffer.getLine(i);
      if (!line) continue;
      if (line.isWrapped && lines.length > 0) lines[lines.length - 1] += line.translateToString(true);
      else lines.push(line.translateToString(true));
    }
    return lines.join('\n').trimEnd();
  },
  status: () => lastStatus,
};

// The bundled demo boots by default; `?cmdline=...` gives it a command line (e.g. mandelbrot=100).
cmdline.value = new URLSearchParams(location.search).get('cmdline') ?? '';
fetch(demoUrl)
  .then((r) => {
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    return r.arrayBuffer();
  })
  .then((buffer) => boot(new Uint8Array(buffer), 'demo.bin'))
  .catch((e: unknown) => note('error', `cannot fetch the demo guest: ${(e as Error).message}`));
