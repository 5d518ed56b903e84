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
if (process.platform !== 'linux') {
  console.warn(`@tsvm/accel-kvm: KVM exists only on Linux; the addon was not built on ${process.platform}`);
  process.exit(0);
}
let gyp;
// Building inside this repository (node-gyp is a devDependency) must succeed; as an installed
// dependency a failed build only means KVM is unavailable, and probe() will say so.
let strict = true;
try {
  gyp = createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js');
} catch {
  // Installed as a dependency: npm and pnpm name the node-gyp they bundle in the environment.
  gyp = process.env.npm_config_node_gyp;
  strict = false;
}
if (!gyp || !existsSync(gyp)) {
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
if (r.status !== 0 && !strict) {
  console.warn('@tsvm/accel-kvm: the KVM addon failed to build; KVM will be reported unavailable');
  process.exit(0);
}
process.exit(r.status ?? 1);
