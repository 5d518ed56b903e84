import type { AcceleratorSource } from '../run/guest-machine.js';
import { describeStop, type GuestRun, runGuestOnAccelerator } from '../run/run-on-accelerator.js';
import { describeTranscriptDivergence, firstTranscriptDivergence } from '../transcript/first-divergence.js';
import type { RomGuest } from './rom-guest-directory.js';

/** Run a directory guest the way QEMU's `-M pc -bios` sees it (or on the PC board if it asks). */
export function runRomGuest(
  accelerator: AcceleratorSource,
  guest: Pick<RomGuest, 'rom' | 'pcBoard'>,
  options: { timeoutMs?: number; nsPerInstruction?: number; keepMachine?: boolean } = {},
): Promise<GuestRun> {
  return runGuestOnAccelerator(accelerator, guest.rom, {
    ...options,
    layout: guest.pcBoard ? 'pc-board' : 'qemu-pc',
    ramMiB: 32,
  });
}

/**
 * What differs between a run and the guest's reference, as a report (undefined: it matches):
 * the first transcript line that differs, mapped to its source line through the listing, or
 * the wrong ending — QEMU with -no-reboot exits with status 0 on a triple fault, where a tsvm
 * machine reports a shutdown.
 */
export function romGuestMismatch(
  guest: Pick<RomGuest, 'name' | 'rom' | 'expected' | 'status' | 'listingPath'>,
  run: { text: string; stop: GuestRun['stop'] },
  accelerator = 'tsvm',
): string | undefined {
  const d = firstTranscriptDivergence(guest.expected, run.text);
  if (d)
    return describeTranscriptDivergence(d, {
      romSize: guest.rom.length,
      listingPath: guest.listingPath,
      accelerator,
    });
  const stop = run.stop;
  if (guest.status === 0) {
    if (stop.reason !== 'shutdown')
      return `${guest.name}: expected a CPU shutdown (triple fault), got ${describeStop(stop)}`;
  } else if (stop.reason !== 'exit' || stop.status !== guest.status) {
    return `${guest.name}: expected exit status ${guest.status}, got ${describeStop(stop)}`;
  }
  return undefined;
}
