export {
  acceleratorFromModule,
  BUILT_IN_ACCELERATORS,
  chooseAccelerator,
  loadAccelerator,
} from './accelerators.js';
export { CliError, ExitCode } from './exit-codes.js';
export { JsonStreamSplitter, MAX_NESTING, MAX_REQUEST_BYTES } from './qmp/json-stream.js';
export { type QmpArgument, type QmpCommand, QmpCommandSet } from './qmp/qmp-commands.js';
export { QmpError, type QmpErrorClass } from './qmp/qmp-error.js';
export { MAX_QMP_CLIENTS, QmpServer } from './qmp/qmp-server.js';
export { formatSize, parseSize } from './sizes.js';
export { readFileBounded, writeFileAtomic } from './snapshot-file.js';
export { parseSocketAddress, type SocketAddress } from './socket-address.js';
export { VERSION } from './version.js';
export { type RunStatus, type ShutdownCause, VmControl } from './vm-control.js';
