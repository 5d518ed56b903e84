/** A function that puts one piece of the machine back into its power-on state. */
export type ResetHandler = () => void;

/**
 * Reset handlers in registration order. Handlers edit canonical state only (device registers,
 * canonical CPU state); they never talk to an accelerator — the machine pushes the result with
 * synchronize-all-post-reset once every handler has run.
 */
export class ResetRegistry {
  private readonly handlers: { readonly name: string; readonly run: ResetHandler }[] = [];

  register(name: string, run: ResetHandler): void {
    this.handlers.push({ name, run });
  }

  get names(): readonly string[] {
    return this.handlers.map((h) => h.name);
  }

  runAll(): void {
    for (const h of this.handlers) h.run();
  }
}
