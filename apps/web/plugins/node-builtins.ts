import { isBuiltin } from 'node:module';
import type { Plugin } from 'vite';

/** An import of a Node built-in found while bundling for the browser. */
export interface NodeBuiltinImport {
  readonly specifier: string;
  readonly importer: string;
}

/**
 * A Vite plugin that sees every import before it is resolved and reports the ones naming a Node
 * built-in (`fs`, `node:fs`, `node:path`…). Vite itself would quietly swap in an empty module
 * and only warn; a browser bundle that needs one is broken, so by default the build fails.
 */
export function noNodeBuiltins(options: { onFound?: (found: NodeBuiltinImport) => void } = {}): Plugin {
  return {
    name: 'tsvm:no-node-builtins',
    enforce: 'pre',
    resolveId(specifier, importer) {
      if (!isBuiltin(specifier)) return null;
      const found = { specifier, importer: importer ?? '(entry)' };
      if (!options.onFound)
        this.error(
          `'${found.importer}' imports the Node built-in '${specifier}': it cannot run in a browser`,
        );
      options.onFound(found);
      // Reported; left outside the bundle so that bundling goes on and every offender is listed.
      return { id: specifier, external: true };
    },
  };
}
