export {
  ACPI_TABLES_BASE,
  ACPI_TABLES_BYTES,
  type AcpiHardware,
  type AcpiTables,
  buildAcpiTables,
  s5Aml,
} from './acpi/acpi-tables.js';
export { AcpiPm, type AcpiPmOptions, PM_TIMER_HZ } from './devices/acpi-pm.js';
export { Cmos, CmosRtc, type CmosRtcOptions } from './devices/cmos-rtc.js';
export { CoprocessorError } from './devices/coprocessor-error.js';
export { DEBUG_EXIT_PORT, DebugExit } from './devices/debug-exit.js';
export { FastA20 } from './devices/fast-a20.js';
export { FW_CFG_DATA_PORT, FW_CFG_SELECTOR_PORT, FwCfg, FwCfgKey } from './devices/fw-cfg.js';
export { I8042 } from './devices/i8042.js';
export { I8254Pit, PIT_HZ } from './devices/i8254-pit.js';
export { I8259Pic, PIC_IRQ_COUNT } from './devices/i8259-pic.js';
export { InterruptRouter } from './devices/interrupt-router.js';
export { ApicReg, LocalApic } from './devices/local-apic.js';
export { PCI_CONFIG_ADDRESS_PORT, PCI_CONFIG_DATA_PORT, PciHost } from './devices/pci-host.js';
export { PostPort } from './devices/post-port.js';
export { ResetControl, type ResetRequester } from './devices/reset-control.js';
export { Lsr, UART_INPUT_QUEUE_BYTES, Uart16550, type Uart16550Options } from './devices/uart16550.js';
export { applyBootPlan, type BootPlan, type BootSegment, checkBootPlan } from './loaders/boot-plan.js';
export {
  type BzImageHeader,
  isBzImage,
  LoadFlags,
  MIN_PROTOCOL,
  parseBzImageHeader,
  SetupHeader,
  XLoadFlags,
} from './loaders/bzimage-header.js';
export {
  enterFlatProtectedMode,
  enterLongMode,
  enterRealMode,
  FLAT_CODE_SELECTOR,
  FLAT_DATA_SELECTOR,
  type FlatSelectors,
  flatGdt,
  IDENTITY_PAGE_TABLE_BYTES,
  identityPageTables,
} from './loaders/cpu-setup.js';
export { detectImage, type ImageKind } from './loaders/detect.js';
export { type ElfImage, type ElfSegment, parseElf32 } from './loaders/elf.js';
export { type FlatBinaryOptions, planFlatBinary } from './loaders/flat.js';
export { LinuxBootLayout, type LinuxBootOptions, planLinuxBoot } from './loaders/linux-boot.js';
export { LoaderError } from './loaders/loader-error.js';
export {
  findMultibootHeader,
  MULTIBOOT_BOOTLOADER_MAGIC,
  MULTIBOOT_HEADER_MAGIC,
  type MultibootHeader,
  type MultibootModule,
  type MultibootOptions,
  planMultiboot,
} from './loaders/multiboot.js';
export { type ImageOptions, type ImagePlan, planImage } from './loaders/plan-image.js';
export { MAX_ROM_BYTES, type MappedRom, mapRom, ROM_MIRROR_BYTES } from './loaders/rom.js';
export {
  HIGH_RAM_START,
  LOW_RAM_END,
  MAX_RAM_BYTES,
  type MemoryMapEntry,
  MIN_RAM_BYTES,
  PcLayout,
  RamSizeError,
  SHADOW_RAM_NAME,
  SHADOW_RAM_START,
} from './pc-layout.js';
export {
  createPcMachine,
  PC_ACPI_HARDWARE,
  type PcDevices,
  PcIrq,
  type PcMachine,
  type PcMachineOptions,
} from './pc-machine.js';
