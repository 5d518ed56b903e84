import { type X86CpuState, x86Arch } from '@tsvm/arch-x86';
import { type Accelerator, Machine, type MachineOptions } from '@tsvm/core';
import { ACPI_TABLES_BASE, type AcpiTables, buildAcpiTables } from './acpi/acpi-tables.js';
import { AcpiPm } from './devices/acpi-pm.js';
import { CmosRtc } from './devices/cmos-rtc.js';
import { CoprocessorError } from './devices/coprocessor-error.js';
import { DebugExit } from './devices/debug-exit.js';
import { FastA20 } from './devices/fast-a20.js';
import { FwCfg, FwCfgKey } from './devices/fw-cfg.js';
import { I8042 } from './devices/i8042.js';
import { I8254Pit } from './devices/i8254-pit.js';
import { I8259Pic } from './devices/i8259-pic.js';
import { InterruptRouter } from './devices/interrupt-router.js';
import { LocalApic } from './devices/local-apic.js';
import { PciHost } from './devices/pci-host.js';
import { PostPort } from './devices/post-port.js';
import { ResetControl } from './devices/reset-control.js';
import { Uart16550 } from './devices/uart16550.js';
import { applyBootPlan, type BootPlan } from './loaders/boot-plan.js';
import { PcLayout } from './pc-layout.js';

export interface PcMachineOptions {
  readonly accelerator: Accelerator;
  /** Guest RAM in bytes (default 128 MiB). Between 2 MiB and 3 GiB, a multiple of 4 KiB. */
  readonly ramBytes?: number;
  /** Bytes the guest writes to COM1. */
  readonly serialOutput?: (byte: number) => void;
  /** What a guest-requested reset (0x64/0xFE, 0xCF9, 0x92) or a triple fault does. */
  readonly onGuestReset?: 'reset' | 'stop';
  /**
   * Host wall clock for the RTC. Default: `Date.now` under the host clock; under the instruction
   * clock, the host's time at creation advanced by the virtual clock (QEMU's `-rtc clock=vm`),
   * so the RTC, the PIT and the TSC agree.
   */
  readonly hostTimeMs?: () => number;
  /** What drives the virtual clock (core's `MachineOptions.clock`; default `auto`). */
  readonly clock?: MachineOptions<X86CpuState>['clock'];
  /** Virtual nanoseconds per instruction under the instruction clock, or `auto` (the default). */
  readonly nsPerInstruction?: MachineOptions<X86CpuState>['nsPerInstruction'];
  /** Longest stretch of guest execution between event-loop turns (ms). */
  readonly sliceMs?: number;
  /** Called with a description whenever the guest asks for a reset. */
  readonly onResetRequest?: (source: string) => void;
}

/** The devices of the board, for the host side (CLI) and tests. */
export interface PcDevices {
  readonly pic: I8259Pic;
  readonly pit: I8254Pit;
  readonly uart: Uart16550;
  readonly rtc: CmosRtc;
  readonly fwCfg: FwCfg;
  readonly apic: LocalApic;
  readonly post: PostPort;
  readonly debugExit: DebugExit;
  readonly resetControl: ResetControl;
  readonly fastA20: FastA20;
  readonly coprocessorError: CoprocessorError;
  readonly i8042: I8042;
  readonly acpiPm: AcpiPm;
  readonly pciHost: PciHost;
}

/** The board's ACPI fixed hardware: PM block at 0x600 (as QEMU's PIIX4), SCI on IRQ 9, reset via 0xCF9. */
export const PC_ACPI_HARDWARE = {
  pm1aEventPort: 0x600,
  pm1aControlPort: 0x604,
  pmTimerPort: 0x608,
  sciIrq: 9,
  s5SleepType: 5,
  resetPort: 0xcf9,
  resetValue: 0x06,
  localApicAddress: 0xfee00000,
} as const;

/** ISA IRQ numbers of the board's devices. */
export const PcIrq = { Pit: 0, Keyboard: 1, Com1: 4, Rtc: 8, Fpu: 13 } as const;

export interface PcMachine {
  readonly machine: Machine<X86CpuState>;
  readonly devices: PcDevices;
  readonly layout: PcLayout;
  /** The ACPI tables (RSDP, RSDT, FADT, FACS, MADT, DSDT) for loaders to place in the BIOS area. */
  readonly acpi: AcpiTables;
  /** The boot plan re-applied at every reset (a firmware's job on a real PC), if any. */
  readonly boot: BootPlan | undefined;
  /** Install a boot plan: applied now and again after every system reset. */
  setBoot(plan: BootPlan): void;
  /** Raise the board's NMI line (LINT1 of the local APIC), like QEMU's `inject-nmi`. */
  injectNmi(): void;
  /** Press the ACPI power button (PWRBTN_STS, then the SCI if the guest enabled it), like QEMU's `system_powerdown`. */
  pressPowerButton(): void;
}

/**
 * Build a PC: RAM below 640 KiB and from 1 MiB up, COM1, the 8259 pair, the 8254, the
 * CMOS/RTC, the i8042, the ACPI PM block, PCI configuration mechanism #1 with a host bridge,
 * fw_cfg, POST, debug-exit, reset and fast-A20 ports, and a local APIC. Load a
 * guest with one of the loaders (or map a ROM) before `machine.start()`.
 */
/** The RTC's wall clock: host time, or under the instruction clock host time at creation plus virtual time. */
function rtcTimeSource(machine: Machine<X86CpuState>): () => number {
  if (machine.clockSource === 'host') return Date.now;
  const wallAtCreation = Date.now() - machine.clock.nowNs() / 1e6;
  return () => wallAtCreation + machine.clock.nowNs() / 1e6;
}

export async function createPcMachine(options: PcMachineOptions): Promise<PcMachine> {
  const layout = new PcLayout(options.ramBytes ?? 128 * 1024 * 1024);
  const stopOnReset = options.onGuestReset === 'stop';
  const machine = await Machine.create<X86CpuState>({
    arch: x86Arch,
    accelerator: options.accelerator,
    cpuCount: 1,
    onShutdown: stopOnReset ? 'stop' : 'reset',
    sliceMs: options.sliceMs,
    clock: options.clock,
    nsPerInstruction: options.nsPerInstruction,
  });
  try {
    layout.map(machine.memory);
    const requestReset = (source: string) => {
      options.onResetRequest?.(source);
      if (stopOnReset)
        machine.requestStop({ reason: 'shutdown', message: `guest requested a reset (${source})` });
      else machine.requestReset();
    };
    const pic = new I8259Pic(machine);
    const apic = new LocalApic(machine);
    const router = new InterruptRouter(pic, apic);
    machine.setInterruptLines(router);
    // A change on either controller may make an interrupt deliverable: wake a halted vCPU.
    pic.onChange = () => {
      router.picChanged();
      machine.kick();
    };
    apic.onChange = () => machine.kick();
    const pit = new I8254Pit(machine, () => pic.pulseIrq(PcIrq.Pit));
    const uart = new Uart16550(machine, {
      base: 0x3f8,
      name: 'com1',
      irq: (level) => pic.setIrq(PcIrq.Com1, level),
      output: options.serialOutput,
    });
    const rtc = new CmosRtc(machine, {
      irq: () => pic.pulseIrq(PcIrq.Rtc),
      hostTimeMs: options.hostTimeMs ?? rtcTimeSource(machine),
      ramBytes: layout.ramBytes,
      cpuCount: 1,
    });
    const coprocessorError = new CoprocessorError(machine, (level) => pic.setIrq(PcIrq.Fpu, level));
    router.coprocessorError = coprocessorError;
    const fwCfg = new FwCfg(machine);
    fwCfg.setU16(FwCfgKey.NbCpus, 1);
    fwCfg.setU16(FwCfgKey.MaxCpus, 1);
    fwCfg.setU64(FwCfgKey.RamSize, layout.ramBytes);
    const post = new PostPort(machine);
    const debugExit = new DebugExit(machine);
    const resetControl = new ResetControl(machine, requestReset);
    const fastA20 = new FastA20(machine, requestReset);
    const i8042 = new I8042(machine, {
      irq: (level) => pic.setIrq(PcIrq.Keyboard, level),
      requestReset,
    });
    const acpiPm = new AcpiPm(machine, {
      base: PC_ACPI_HARDWARE.pm1aEventPort,
      s5SleepType: PC_ACPI_HARDWARE.s5SleepType,
      onPowerOff: () => machine.requestStop({ reason: 'shutdown', message: 'guest powered off (ACPI S5)' }),
      sci: (level) => pic.setIrq(PC_ACPI_HARDWARE.sciIrq, level),
    });
    const pciHost = new PciHost(machine);
    const acpi = buildAcpiTables(ACPI_TABLES_BASE, PC_ACPI_HARDWARE);
    let boot: BootPlan | undefined;
    // Registered after every device: the CPU state has its reset values when the boot plan runs.
    machine.resets.register('boot', () => {
      if (boot) applyBootPlan(machine.memory, machine.vcpus[0].state, boot);
    });
    return {
      machine,
      layout,
      acpi,
      devices: {
        pic,
        pit,
        uart,
        rtc,
        fwCfg,
        apic,
        post,
        debugExit,
        resetControl,
        fastA20,
        coprocessorError,
        i8042,
        acpiPm,
        pciHost,
      },
      get boot() {
        return boot;
      },
      injectNmi() {
        apic.assertLint(1);
      },
      pressPowerButton() {
        acpiPm.pressPowerButton();
      },
      setBoot(plan) {
        applyBootPlan(machine.memory, machine.vcpus[0].state, plan);
        boot = plan;
        const cmdline = plan.cmdline ?? '';
        const cmdlineBytes = new TextEncoder().encode(`${cmdline}\0`);
        fwCfg.setU32(FwCfgKey.CmdlineSize, cmdlineBytes.length);
        fwCfg.setItem(FwCfgKey.CmdlineData, cmdlineBytes);
        if (plan.kernel) {
          fwCfg.setU32(FwCfgKey.KernelAddr, plan.kernel.address);
          fwCfg.setU32(FwCfgKey.KernelEntry, plan.kernel.entry);
          fwCfg.setU32(FwCfgKey.KernelSize, plan.kernel.image.length);
          fwCfg.setItem(FwCfgKey.KernelData, plan.kernel.image);
        }
        plan.modules?.forEach((m, i) => {
          fwCfg.addFile(`opt/tsvm/module${i}`, m.data);
        });
      },
    };
  } catch (e) {
    machine.close();
    throw e;
  }
}
