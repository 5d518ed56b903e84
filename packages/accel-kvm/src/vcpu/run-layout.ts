import type { KvmConstants } from '../native/addon.js';

/**
 * Offsets into `struct kvm_run` and exit numbers, copied once from the addon's constants into
 * plain fields: the run loop reads them on every exit, and a small fixed-shape object keeps
 * those loads cheap.
 */
export class RunLayout {
  readonly exitIo: number;
  readonly exitMmio: number;
  readonly ioOut: number;
  readonly requestInterruptWindow: number;
  readonly readyForInjection: number;
  readonly ifFlag: number;
  readonly ioDirection: number;
  readonly ioSize: number;
  readonly ioPort: number;
  readonly ioCount: number;
  readonly ioDataOffset: number;
  readonly mmioPhysAddr: number;
  readonly mmioData: number;
  readonly mmioLen: number;
  readonly mmioIsWrite: number;

  constructor(c: KvmConstants) {
    this.exitIo = c.EXIT_IO;
    this.exitMmio = c.EXIT_MMIO;
    this.ioOut = c.IO_OUT;
    this.requestInterruptWindow = c.RUN_REQUEST_INTERRUPT_WINDOW;
    this.readyForInjection = c.RUN_READY_FOR_INTERRUPT_INJECTION;
    this.ifFlag = c.RUN_IF_FLAG;
    this.ioDirection = c.RUN_IO_DIRECTION;
    this.ioSize = c.RUN_IO_SIZE;
    this.ioPort = c.RUN_IO_PORT;
    this.ioCount = c.RUN_IO_COUNT;
    this.ioDataOffset = c.RUN_IO_DATA_OFFSET;
    this.mmioPhysAddr = c.RUN_MMIO_PHYS_ADDR;
    this.mmioData = c.RUN_MMIO_DATA;
    this.mmioLen = c.RUN_MMIO_LEN;
    this.mmioIsWrite = c.RUN_MMIO_IS_WRITE;
  }
}
