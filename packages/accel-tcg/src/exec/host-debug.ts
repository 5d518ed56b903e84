import type { GuestBreakpoint, GuestDebugCapability, GuestDebugRequest, GuestDebugSupport } from '@tsvm/core';
import type { Watchpoint } from '../mmu/watchpoints.js';

/** Host watchpoints use watch-hit bits from here up, so they never mix with the guest's DR6 B0-B3. */
export const HOST_WATCH_BIT = 8;

const SUPPORT: GuestDebugSupport = {
  kinds: ['software', 'hardware', 'write', 'read', 'access'],
  // Breakpoints are address compares and watchpoints ride the MMU's slow path: up to 16 at once (one watch-hit bit each).
  maxHardware: 16,
};

/**
 * The executor's debug capability for a host debugger. Nothing is planted in guest memory:
 * instruction breakpoints are compared against CS.base + EIP before each instruction while
 * armed (the executor then runs one instruction per block, never a cached block), and
 * watchpoints use the MMU's data-breakpoint path, as the guest's own DR7 does.
 */
export class HostDebug implements GuestDebugCapability {
  readonly support = SUPPORT;
  private request: GuestDebugRequest = { singleStep: false, breakpoints: [] };
  private code: Set<number> = new Set();
  private watches: readonly Watchpoint[] = [];
  /** Resume over the breakpoint we stopped at: it does not fire again for the first instruction. */
  skipAt: number | undefined;

  set(request: GuestDebugRequest): void {
    this.request = { singleStep: request.singleStep, breakpoints: [...request.breakpoints] };
    this.code = new Set(
      request.breakpoints
        .filter((b) => b.kind === 'software' || b.kind === 'hardware')
        .map((b) => b.address >>> 0),
    );
    this.watches = request.breakpoints
      .filter((b) => b.kind === 'write' || b.kind === 'read' || b.kind === 'access')
      .map((b, k) => ({
        index: HOST_WATCH_BIT + k,
        lin: b.address >>> 0,
        len: Math.max(1, b.length),
        onRead: b.kind !== 'write',
      }));
  }

  /** Anything armed: the executor must go one instruction at a time. */
  get active(): boolean {
    return this.request.singleStep || this.code.size > 0 || this.watches.length > 0;
  }

  get singleStep(): boolean {
    return this.request.singleStep;
  }

  get watchpoints(): readonly Watchpoint[] {
    return this.watches;
  }

  /** An instruction breakpoint at this linear address (not the one being stepped over). */
  breakpointAt(lin: number): boolean {
    if (this.skipAt === lin) return false;
    return this.code.has(lin);
  }

  /** The watchpoint behind a host watch-hit bit mask (the lowest one that fired). */
  watchpointHit(hits: number): { watch: Watchpoint; breakpoint: GuestBreakpoint } | undefined {
    for (const w of this.watches) {
      if (hits & (1 << w.index)) {
        const breakpoint = this.request.breakpoints.filter(
          (b) => b.kind !== 'software' && b.kind !== 'hardware',
        )[w.index - HOST_WATCH_BIT];
        return { watch: w, breakpoint };
      }
    }
    return undefined;
  }
}
