import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Accelerator, ProbeResult } from '@tsvm/core';
import {
  explainMissingAccelerator,
  isAccelerator,
  isAcceleratorClass,
  probeResultProblem,
} from './accelerator-shape.js';
import { CliError, ExitCode } from './exit-codes.js';

/** Accelerators tsvm knows by name, and the package each lives in (imported only when needed). */
export const BUILT_IN_ACCELERATORS = {
  tcg: { module: '@tsvm/accel-tcg', description: 'pure-TypeScript executor (runs anywhere)' },
  kvm: { module: '@tsvm/accel-kvm', description: 'Linux KVM through a native binding' },
} as const;

export type BuiltInName = keyof typeof BUILT_IN_ACCELERATORS;

/** An accelerator that could be loaded and probed, or why not. */
export interface AcceleratorChoice {
  readonly name: string;
  readonly accelerator?: Accelerator;
  readonly probe: ProbeResult;
}

/**
 * Find the accelerator a module exports: an accelerator object (default or named), a
 * `create…Accelerator()` factory, or an accelerator class constructible without arguments —
 * in that order. With several, the one named `preferred` wins.
 */
export async function acceleratorFromModule(
  namespace: Record<string, unknown>,
  preferred?: string,
): Promise<Accelerator | undefined> {
  const found: Accelerator[] = [];
  for (const value of Object.values(namespace))
    if (isAccelerator(value) && !found.includes(value)) found.push(value);
  if (found.length === 0) {
    for (const [key, value] of Object.entries(namespace)) {
      if (typeof value === 'function' && !isAcceleratorClass(value) && /^create\w*Accelerator$/.test(key)) {
        const made = await (value as () => unknown)();
        if (isAccelerator(made)) found.push(made);
      }
    }
  }
  if (found.length === 0) {
    for (const value of Object.values(namespace)) if (isAcceleratorClass(value)) found.push(new value());
  }
  return found.find((a) => a.name === preferred) ?? found[0];
}

/**
 * A path to a package folder means its entry point, as `import` of the package would find it
 * (the `exports` map's '.' entry, else `main`, else index.js).
 */
function entryOfPath(path: string): string {
  const full = resolve(path);
  if (!existsSync(full) || !statSync(full).isDirectory()) return full;
  const manifestPath = join(full, 'package.json');
  if (!existsSync(manifestPath)) return join(full, 'index.js');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    exports?: unknown;
    main?: string;
  };
  const root = (manifest.exports as Record<string, unknown> | undefined)?.['.'] ?? manifest.exports;
  const target =
    typeof root === 'string'
      ? root
      : ((root as Record<string, unknown> | undefined)?.import ??
        (root as Record<string, unknown> | undefined)?.default);
  return join(full, typeof target === 'string' ? target : (manifest.main ?? 'index.js'));
}

/** Import `specifier` the way a user means it: a path (relative to the working directory) or a package. */
async function importModule(specifier: string): Promise<Record<string, unknown>> {
  const looksLikePath = specifier.startsWith('.') || isAbsolute(specifier) || /\.(c|m)?js$/.test(specifier);
  if (looksLikePath) return import(pathToFileURL(entryOfPath(specifier)).href);
  try {
    return await import(specifier);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw e;
    // Not next to tsvm: look where the user is (a project that installed its own accelerator).
    const fromCwd = createRequire(join(process.cwd(), 'package.json')).resolve(specifier);
    return import(pathToFileURL(fromCwd).href);
  }
}

const errorText = (e: unknown) => (e instanceof Error ? e.message.split('\n')[0] : String(e));

/** Load and probe one accelerator; never throws — a failure becomes an 'unavailable' reason. */
export async function loadAccelerator(nameOrModule: string): Promise<AcceleratorChoice> {
  const builtIn = BUILT_IN_ACCELERATORS[nameOrModule as BuiltInName];
  const specifier = builtIn?.module ?? nameOrModule;
  let namespace: Record<string, unknown>;
  try {
    namespace = await importModule(specifier);
  } catch (e) {
    return {
      name: nameOrModule,
      probe: { available: false, reason: `cannot load ${specifier}: ${errorText(e)}` },
    };
  }
  let accelerator: Accelerator | undefined;
  try {
    accelerator = await acceleratorFromModule(namespace, builtIn ? nameOrModule : undefined);
  } catch (e) {
    return {
      name: nameOrModule,
      probe: { available: false, reason: `${specifier} failed to create its accelerator: ${errorText(e)}` },
    };
  }
  if (!accelerator) {
    return {
      name: nameOrModule,
      probe: { available: false, reason: explainMissingAccelerator(specifier, namespace) },
    };
  }
  try {
    const probe: unknown = await accelerator.probe();
    const problem = probeResultProblem(probe);
    if (problem) return { name: accelerator.name, accelerator, probe: { available: false, reason: problem } };
    return { name: accelerator.name, accelerator, probe: probe as ProbeResult };
  } catch (e) {
    return {
      name: accelerator.name,
      accelerator,
      probe: { available: false, reason: `probe failed: ${errorText(e)}` },
    };
  }
}

/**
 * Resolve `--accel`: `auto` takes KVM when it is usable and hardware-backed, otherwise TCG,
 * and explains the choice through `note`. Any other value must load and probe available.
 */
export async function chooseAccelerator(request: string, note: (line: string) => void): Promise<Accelerator> {
  if (request !== 'auto') {
    const choice = await loadAccelerator(request);
    if (!choice.accelerator || !choice.probe.available) {
      throw new CliError(`accelerator '${request}' is unavailable: ${choice.probe.reason}`, ExitCode.Startup);
    }
    return choice.accelerator;
  }
  const kvm = await loadAccelerator('kvm');
  if (kvm.accelerator && kvm.probe.available && kvm.probe.hardwareAccelerated) {
    note(`using kvm: ${kvm.probe.reason}`);
    return kvm.accelerator;
  }
  const tcg = await loadAccelerator('tcg');
  const why = kvm.probe.available
    ? 'KVM is usable but not hardware-backed here (a software path slower than TCG)'
    : `KVM is unavailable (${kvm.probe.reason})`;
  if (tcg.accelerator && tcg.probe.available) {
    note(`using tcg: ${why}`);
    return tcg.accelerator;
  }
  if (kvm.accelerator && kvm.probe.available) {
    note(`using kvm although it is not hardware-backed: tcg is unavailable (${tcg.probe.reason})`);
    return kvm.accelerator;
  }
  throw new CliError(
    `no accelerator is available: tcg: ${tcg.probe.reason}; kvm: ${kvm.probe.reason}`,
    ExitCode.Startup,
  );
}
