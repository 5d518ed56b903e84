import { spawnSync } from 'node:child_process';

/** Whether this tsvm build has the block compiler's switch (`tsvm run --tcg-jit on|off`). */
export type JitOption = { readonly supported: true } | { readonly supported: false; readonly reason: string };

/** Ask the built CLI: `tsvm run --help` lists `--tcg-jit` once the block compiler has landed. */
export function detectJitOption(cli: string | undefined): JitOption {
  if (!cli) return { supported: false, reason: 'the tsvm command is not built' };
  const r = spawnSync(process.execPath, [cli, 'run', '--help'], { encoding: 'utf8', timeout: 30_000 });
  if (r.error || r.status !== 0)
    return {
      supported: false,
      reason: `\`tsvm run --help\` failed (${r.error?.message ?? `status ${r.status}`}), so --tcg-jit is unknown`,
    };
  return /--tcg-jit\b/.test(r.stdout)
    ? { supported: true }
    : { supported: false, reason: 'this tsvm has no --tcg-jit option (the block compiler has not landed)' };
}
