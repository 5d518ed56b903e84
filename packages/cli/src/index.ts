export {
  acceleratorFromModule,
  BUILT_IN_ACCELERATORS,
  chooseAccelerator,
  loadAccelerator,
} from './accelerators.js';
export {
  CommandError,
  type CommandHandler,
  ControlSocket,
  MAX_CLIENTS,
  MAX_LINE_BYTES,
} from './control-socket.js';
export { CliError, ExitCode } from './exit-codes.js';
export { formatSize, parseSize } from './sizes.js';
export { readFileBounded, writeFileAtomic } from './snapshot-file.js';
export { VERSION } from './version.js';
