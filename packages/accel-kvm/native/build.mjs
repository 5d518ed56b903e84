// Builds the addon with node-gyp against the running Node's own headers (no download).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const nodedir = dirname(dirname(process.execPath));
if (!existsSync(join(nodedir, 'include', 'node', 'node_api.h'))) {
  console.error(
    `@tsvm/accel-kvm: Node headers not found under ${nodedir}/include/node; cannot build the KVM addon`,
  );
  process.exit(1);
}
let gyp;
try {
  gyp = createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js');
} catch {
  // A consumer's install without dev tools: KVM is optional, so leave the addon unbuilt and let
  // probe() say so ("the KVM addon is not built") instead of failing the whole install.
  console.warn(
    '@tsvm/accel-kvm: node-gyp is not installed; the KVM addon was not built (probe() will report it)',
  );
  process.exit(0);
}
const args = [gyp, 'rebuild', `--nodedir=${nodedir}`, ...process.argv.slice(2)];
const r = spawnSync(process.execPath, args, {
  stdio: 'inherit',
  cwd: join(dirname(new URL(import.meta.url).pathname), '..'),
});
process.exit(r.status ?? 1);
