/** The CLI's version, kept in step with package.json by the build (see tsup.config.ts). */
declare const __TSVM_VERSION__: string | undefined;

export const VERSION: string = typeof __TSVM_VERSION__ === 'string' ? __TSVM_VERSION__ : '0.0.0-source';
