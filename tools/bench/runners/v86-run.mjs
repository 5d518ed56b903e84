// Boots a Multiboot kernel on v86 (npm package, no BIOS: v86 loads Multiboot images itself)
// and behaves like a VMM process for the bench harness: the guest's COM1 bytes go to stdout
// as they arrive, and the process exits once the guest's output is complete, since v86 has
// no isa-debug-exit device. Exit status: 0 when the end was seen, 2 on timeout, 3 on error.
//
// Usage: node v86-run.mjs IMAGE --until-bytes N | --until-newline  [--memory-mib M] [--timeout-s S]
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const args = process.argv.slice(2);
const image = args[0];
const option = (name) => {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args[i + 1];
};
if (!image || (!args.includes('--until-newline') && option('--until-bytes') === undefined)) {
  process.stderr.write(
    'usage: v86-run.mjs IMAGE --until-bytes N | --until-newline [--memory-mib M] [--timeout-s S]\n',
  );
  process.exit(3);
}
const untilBytes = Number(option('--until-bytes') ?? Number.POSITIVE_INFINITY);
const untilNewline = args.includes('--until-newline');
const memoryMib = Number(option('--memory-mib') ?? 128);
const timeoutS = Number(option('--timeout-s') ?? 120);

const require = createRequire(import.meta.url);
const { V86 } = await import('v86');
const bytes = readFileSync(image);
const emulator = new V86({
  wasm_path: require.resolve('v86/build/v86.wasm'),
  memory_size: memoryMib << 20,
  vga_memory_size: 2 << 20,
  multiboot: { buffer: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) },
  autostart: true,
  disable_keyboard: true,
  disable_mouse: true,
  disable_speaker: true,
});

let seen = 0;
const timer = setTimeout(() => {
  process.stderr.write(`v86-run: no end of output after ${timeoutS} s (${seen} bytes seen)\n`);
  process.exit(2);
}, timeoutS * 1000);

emulator.add_listener('serial0-output-byte', (byte) => {
  seen++;
  const done = seen >= untilBytes || (untilNewline && byte === 10);
  // Synchronous write so the byte is out before the process exits.
  process.stdout.write(Buffer.from([byte]), () => {});
  if (done) {
    clearTimeout(timer);
    emulator.stop();
    process.exit(0);
  }
});
