// Boots a Linux bzImage + initrd on v86 (npm package) with Debian's SeaBIOS and VGA BIOS
// (v86's npm package ships no BIOS; `apt-get install seabios` provides them) and copies the
// guest's COM1 bytes to stdout. Runs until killed, or exits 2 after --timeout-s.
//
// Usage: node v86-linux.mjs BZIMAGE INITRD CMDLINE [--memory-mib M] [--timeout-s S]
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const [kernel, initrd, cmdline, ...rest] = process.argv.slice(2);
const option = (name) => {
  const i = rest.indexOf(name);
  return i < 0 ? undefined : rest[i + 1];
};
if (!kernel || !initrd || cmdline === undefined) {
  process.stderr.write('usage: v86-linux.mjs BZIMAGE INITRD CMDLINE [--memory-mib M] [--timeout-s S]\n');
  process.exit(3);
}
const memoryMib = Number(option('--memory-mib') ?? 128);
const timeoutS = Number(option('--timeout-s') ?? 300);
const buffer = (path) => {
  const b = readFileSync(path);
  return { buffer: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) };
};

const require = createRequire(import.meta.url);
const { V86 } = await import('v86');
const emulator = new V86({
  wasm_path: require.resolve('v86/build/v86.wasm'),
  memory_size: memoryMib << 20,
  vga_memory_size: 8 << 20,
  bios: buffer('/usr/share/seabios/bios.bin'),
  vga_bios: buffer('/usr/share/seabios/vgabios-stdvga.bin'),
  bzimage: buffer(kernel),
  initrd: buffer(initrd),
  cmdline,
  autostart: true,
  disable_keyboard: true,
  disable_mouse: true,
  disable_speaker: true,
});
setTimeout(() => {
  process.stderr.write(`v86-linux: stopped after ${timeoutS} s\n`);
  process.exit(2);
}, timeoutS * 1000);
emulator.add_listener('serial0-output-byte', (byte) => {
  process.stdout.write(Buffer.from([byte]), () => {});
});
