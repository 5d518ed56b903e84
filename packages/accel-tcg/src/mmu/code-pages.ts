/** Physical pages tracked for self-modifying code: the 32-bit physical space. */
export const CODE_PAGE_COUNT = 1 << 20;

/** What a vCPU's MMU and block cache do when code pages change. */
export interface CodePageClient {
  /** A page now holds translated code: stop writing it through the fast path. */
  dropFastWrites(physPage: number): void;
  /** A page holding translated code was written: forget its blocks. */
  invalidateCode(physPage: number): void;
}

/**
 * Which physical pages hold translated code, shared by every vCPU of a VM: a store by any vCPU
 * into a page any vCPU translated code from drops those blocks everywhere.
 */
export class CodePages {
  readonly flags = new Uint8Array(CODE_PAGE_COUNT);
  private readonly clients: CodePageClient[] = [];

  attach(client: CodePageClient): void {
    this.clients.push(client);
  }

  protect(physPage: number): void {
    if (physPage >= CODE_PAGE_COUNT || this.flags[physPage]) return;
    this.flags[physPage] = 1;
    for (const c of this.clients) c.dropFastWrites(physPage);
  }

  /** Called on a store to a flagged page (the fast path never stores to one). */
  written(physPage: number): void {
    this.flags[physPage] = 0;
    for (const c of this.clients) c.invalidateCode(physPage);
  }

  /** Forget everything (system reset, memory map change: every vCPU drops its blocks too). */
  clear(): void {
    this.flags.fill(0);
  }
}
