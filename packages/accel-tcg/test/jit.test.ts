import { readFileSync } from 'node:fs';
import type { VmOptions } from '@tsvm/core';
import { createGuestMachine, runRomGuest } from '@tsvm/x86-testsuite';
import { afterEach, describe, expect, test } from 'vitest';
import { TcgAccelerator, type TcgOptions, type TcgVcpu, type TcgVm } from '../src/index.js';
import { forgetNotice } from '../src/jit/block-compiler.js';
import { forgetFunctionProbe } from '../src/jit/function-support.js';
import { defaultJitMode, type JitMode } from '../src/jit/options.js';
import { guests } from './guest-directory.js';
import { bareMachine } from './harness/bare-machine.js';

/** A tcg accelerator with `options` that hands out its vCPUs (to look at the compiler's counters). */
function accelerator(options: TcgOptions): { accel: TcgAccelerator; vcpu: () => TcgVcpu } {
  const accel = new TcgAccelerator(options);
  let vm: TcgVm | undefined;
  const create = accel.createVm.bind(accel);
  accel.createVm = (o: VmOptions) => (vm = create(o));
  return { accel, vcpu: () => vm!.vcpus[0] };
}

/** GDT of a flat 32-bit machine: null, code (0x08), data (0x10). */
const FLAT_GDT = '0000000000000000 ffff0000009bcf00 ffff00000093cf00';

/**
 * A flat 32-bit bare machine (every block compiled at once unless `jit` is off or `options` say
 * otherwise) with `program` (hex) at 0x7C00 and a GDT at 0x7F00: `FLAT_GDT`, then the
 * descriptors of `extraGdt` (hex).
 */
async function gdtMachine(jit: JitMode, program: string, extraGdt: string, options: TcgOptions = {}) {
  const { accel, vcpu } = accelerator({ jit, hotThreshold: 0, ...options });
  const m = await bareMachine({ protectedMode: true, accelerator: accel });
  m.machine.memory.load(0x7c00, Buffer.from(program, 'hex'));
  const gdt = `${FLAT_GDT}${extraGdt}`.replaceAll(' ', '');
  m.machine.memory.load(0x7f00, Buffer.from(gdt, 'hex'));
  m.state.gdt = { base: 0x7f00, baseHigh: 0, limit: gdt.length / 2 - 1 };
  return { ...m, vcpu };
}

/**
 * A flat 32-bit bare machine (every block compiled at once unless `jit` is off) with `program`
 * (hex) at 0x7C00, ESP 0x6000, and one interrupt line: vector 0x20, gated to `handler`, raised
 * while `line.pending` is set (acknowledging it clears it).
 */
async function interruptMachine(jit: JitMode, program: string, handler: number) {
  const m = await gdtMachine(jit, program, '');
  const gate = Buffer.from('00000800008e0000', 'hex');
  gate.writeUInt16LE(handler, 0);
  m.machine.memory.load(0x7000 + 0x20 * 8, gate);
  m.state.idt = { base: 0x7000, baseHigh: 0, limit: 0x107 };
  m.state.gprLow[4] = 0x6000;
  const line = { pending: false };
  m.machine.setInterruptLines({
    hasInterrupt: () => line.pending,
    acknowledge: () => {
      line.pending = false;
      return 0x20;
    },
    hasNmi: () => false,
    takeNmi: () => {},
  });
  return { ...m, line };
}

/**
 * Run `program` on `gdtMachine` (ESP 0x6000, hot threshold 8) once per mode in `modes`; each run
 * must reach the debug exit. Returns per mode the registers numbered in `regs` and the retired
 * count; `inspect` sees each mode's vCPU (its compiled traces).
 */
async function runEachMode(
  program: string,
  modes: readonly JitMode[],
  regs: readonly number[],
  inspect: (jit: JitMode, v: TcgVcpu) => void = () => {},
): Promise<Record<string, number[]>> {
  const results: Record<string, number[]> = {};
  for (const jit of modes) {
    const { machine, state, vcpu } = await gdtMachine(jit, program, '', { hotThreshold: 8 });
    state.gprLow[4] = 0x6000;
    const stop = await machine.run({ timeoutMs: 10_000 });
    expect(stop.reason, JSON.stringify(stop)).toBe('exit');
    results[jit] = [...regs.map((n) => machine.vcpus[0].state.gprLow[n]), vcpu().instructionsRetired];
    inspect(jit, vcpu());
  }
  return results;
}

/** Transcript of a guest run with `options`, checked against its QEMU reference. */
async function runChecked(name: string, options: TcgOptions, timeoutMs = 60_000) {
  const g = guests.load(name);
  const { accel, vcpu } = accelerator(options);
  const r = await runRomGuest(accel, g, { timeoutMs });
  expect(r.stop.reason, JSON.stringify(r.stop)).not.toBe('error');
  expect(r.text).toBe(g.expected);
  return { r, vcpu: vcpu() };
}

describe('options', () => {
  test('bad options are refused with the value named', () => {
    expect(() => new TcgAccelerator({ jit: 'fast' as never })).toThrow(
      "tcg: jit must be one of on, off, lockstep, not 'fast'",
    );
    expect(() => new TcgAccelerator({ hotThreshold: -1 })).toThrow(
      "tcg: hotThreshold must be a non-negative integer, not '-1'",
    );
    expect(() => new TcgAccelerator({ codeBudgetBytes: 12 })).toThrow(
      "tcg: codeBudgetBytes must be an integer of at least 4096, not '12'",
    );
    expect(() => new TcgAccelerator({ traces: 'yes' as never })).toThrow(
      "tcg: traces must be true or false, not 'yes'",
    );
  });

  test('TSVM_TCG_JIT picks the default mode; a bad value is refused', () => {
    const saved = process.env.TSVM_TCG_JIT;
    try {
      process.env.TSVM_TCG_JIT = 'off';
      expect(defaultJitMode()).toBe('off');
      expect(new TcgAccelerator().jitMode).toBe('off');
      process.env.TSVM_TCG_JIT = 'sometimes';
      expect(() => defaultJitMode()).toThrow("TSVM_TCG_JIT: 'sometimes' is not one of on, off, lockstep");
      delete process.env.TSVM_TCG_JIT;
      expect(defaultJitMode()).toBe('on');
    } finally {
      if (saved === undefined) delete process.env.TSVM_TCG_JIT;
      else process.env.TSVM_TCG_JIT = saved;
    }
  });

  test('withOptions keeps the other options', () => {
    const a = new TcgAccelerator({ hotThreshold: 3 }).withOptions({ jit: 'off' });
    expect(a.options).toEqual({ hotThreshold: 3, jit: 'off' });
  });
});

describe('compiled code behaves as the interpreter', () => {
  test('the bench guest gives the same checksum and retired count compiled and interpreted', async () => {
    const on = await runChecked('bench', { jit: 'on', hotThreshold: 2 });
    const off = await runChecked('bench', { jit: 'off' });
    expect(on.vcpu.jit.compiledCount).toBeGreaterThan(10);
    expect(off.vcpu.jit.compiledCount).toBe(0);
    expect(on.vcpu.instructionsRetired).toBe(off.vcpu.instructionsRetired);
  }, 60_000);

  test('self-modifying code, including a store into the running block, drops compiled code', async () => {
    const { vcpu } = await runChecked('smc', { jit: 'on', hotThreshold: 0 });
    expect(vcpu.jit.compiledCount).toBeGreaterThan(0);
  }, 60_000);

  test('faults in the middle of compiled blocks (paging, exceptions) leave the interpreter state', async () => {
    await runChecked('paging', { jit: 'on', hotThreshold: 0 });
    await runChecked('except', { jit: 'on', hotThreshold: 0 });
  }, 60_000);

  test('traces follow jumps, calls and branches on the page, and change nothing', async () => {
    const traced = await runChecked('bench', { jit: 'on', hotThreshold: 2 });
    const single = await runChecked('bench', { jit: 'on', hotThreshold: 2, traces: false });
    const longest = (v: TcgVcpu) =>
      Math.max(...[...v.jit.live()].map((b) => b.trace!.insns.length - b.insns.length));
    // Some compiled block runs instructions of the blocks after it; without traces none does.
    expect(longest(traced.vcpu)).toBeGreaterThan(0);
    expect(longest(single.vcpu)).toBe(0);
    expect(traced.vcpu.instructionsRetired).toBe(single.vcpu.instructionsRetired);
  }, 60_000);

  test('a trace follows a branch the way it went while interpreted, not the static guess', async () => {
    // bits 32: mov ecx, 200 / xor eax, eax / top (0x7c07): cmp ecx, 1 / jnz L (forwards) /
    // out 0xf4, al / nop / L: inc eax / loop top — the forward JNZ is taken 199 times of 200,
    // where the static guess (forwards not taken) would follow it into the OUT. (LOOP is not
    // followed, so TOP is where the dispatcher enters and compiles.)
    const program = 'b9c800000031c083f9017503e6f49040e2f5';
    const results = await runEachMode(program, ['off', 'on'], [0], (jit, v) => {
      if (jit !== 'on') return;
      const top = [...v.jit.live()].find((b) => b.key === 0x7c07 * 2 + 1);
      // cmp, jnz followed taken, inc, loop
      expect(top?.trace?.follow[1]).toBe('taken');
      expect(top?.trace?.insns.map((i) => i.opc)).toEqual([0x83, 0x75, 0x40, 0xe2]);
    });
    expect(results.off[0]).toBe(199);
    expect(results.on).toEqual(results.off);
  }, 60_000);

  test('instruction limits stop compiled traces at the block boundaries the interpreter stops at', async () => {
    // Run the bench guest in slices of 997 instructions: every slice must end at the same EIP
    // and retired count with compiled traces as interpreted (deadlines, hence timer
    // interrupts under the instruction clock, land on the same instruction).
    const slices: Record<string, string[]> = {};
    for (const jit of ['off', 'on'] as const) {
      const { accel, vcpu } = accelerator({ jit, hotThreshold: 0 });
      await createGuestMachine(accel, guests.load('bench').rom, { layout: 'qemu-pc' });
      const v = vcpu();
      slices[jit] = Array.from({ length: 250 }, () => {
        const exit = v.run({ deadlineNs: Number.POSITIVE_INFINITY, maxInstructions: 997 });
        return `${exit.kind} ${v.cpu.eip.toString(16)} ${v.instructionsRetired}`;
      });
    }
    // (the guest halts after about 280,000 instructions: 250 slices all end at the limit)
    expect(slices.on.every((s) => s.startsWith('yield '))).toBe(true);
    expect(slices.on).toEqual(slices.off);
  }, 60_000);

  test('an MMIO read that raises an interrupt ends a trace at the next block boundary, as the interpreter takes it', async () => {
    // bits 32: mov ecx, 0 / sti / again: inc ecx / mov eax, [0xd0000] / jmp next /
    // next: inc ecx / inc ecx / jmp again / handler (0x7c12): mov [0x600], ecx / cli / hlt
    const program = 'b900000000fb41a100000d00eb004141ebf4890d00060000faf4';
    const counts: Record<string, number> = {};
    for (const jit of ['off', 'on'] as const) {
      const { machine, line } = await interruptMachine(jit, program, 0x7c12);
      machine.memory.addMmio('device', 0xd0000, 0x1000, {
        read: () => {
          line.pending = true;
          return 0;
        },
        write: () => {},
      });
      const stop = await machine.run({ timeoutMs: 10_000 });
      expect(stop.reason, JSON.stringify(stop)).toBe('halted');
      counts[jit] = machine.memory.read(0x600, 4);
    }
    // The interrupt comes after the block that read the device: ECX was incremented once.
    expect(counts).toEqual({ off: 1, on: 1 });
  }, 60_000);

  test('a looping compiled block entered with an interrupt waiting goes round once, as the interpreter runs it', async () => {
    // bits 32: mov ecx, 0 / sti / L: inc ecx / jmp L / handler (0x7c09): mov [0x600], ecx / cli / hlt
    // The interrupt waits from the start; STI's shadow lets the block at L run once before it.
    const program = 'b900000000fb41ebfd890d00060000faf4';
    const counts: Record<string, number> = {};
    for (const jit of ['off', 'on'] as const) {
      const { machine, line } = await interruptMachine(jit, program, 0x7c09);
      line.pending = true;
      const stop = await machine.run({ timeoutMs: 10_000 });
      expect(stop.reason, JSON.stringify(stop)).toBe('halted');
      counts[jit] = machine.memory.read(0x600, 4);
    }
    expect(counts).toEqual({ off: 1, on: 1 });
  }, 60_000);

  test('a segment loaded in the middle of a compiled block (LDS) is used by the rest of it', async () => {
    // bits 32: mov ecx, 100 / again: lds esi, [0x7e00] / mov eax, [0] / add ebx, eax / mov dx, 0x10 /
    // mov ds, dx / mov edi, [0] / dec ecx / jnz again / mov eax, ebx / out 0xf4, al
    // (the flat read of linear 0 puts its page in the TLB, where a wrong flat-DS read would hit)
    const program = 'b964000000c535007e0000a10000000001c366ba10008eda8b3d000000004975e489d8e6f4';
    const results: Record<string, number> = {};
    for (const jit of ['off', 'on', 'lockstep'] as const) {
      // GDT: null, flat code, flat data (0x10), data based at 0x10000 (0x18); far pointer 0x18:0.
      const { machine } = await gdtMachine(jit, program, 'ffff000001934000');
      machine.memory.write(0x7e00, 4, 0);
      machine.memory.write(0x7e04, 2, 0x18);
      machine.memory.write(0x0, 4, 1000); // what a flat DS would read
      machine.memory.write(0x10000, 4, 7); // what DS = 0x18 reads
      const stop = await machine.run({ timeoutMs: 10_000 });
      expect(stop.reason, JSON.stringify(stop)).toBe('exit');
      results[jit] = machine.vcpus[0].state.gprLow[3];
    }
    expect(results).toEqual({ off: 700, on: 700, lockstep: 700 });
  }, 60_000);

  test('a fault on a slow-path access pushes the flags of the instruction before it in the block', async () => {
    // bits 32: mov esp, 0x7000 / mov dx, 0x18 / mov ds, dx / mov eax, 5 / cmp eax, 7 /
    // mov ebx, [0x2000] (beyond DS's 4 KiB limit: #GP) / hlt; at 0x7c40 the #GP handler:
    // mov edx, [ss:esp+12] (the pushed EFLAGS) / out 0xf4, al
    const program = 'bc0070000066ba18008edab80500000083f8078b1d00200000f4';
    const handler = '368b54240ce6f4';
    const flags: Record<string, number> = {};
    for (const jit of ['off', 'on', 'lockstep'] as const) {
      // GDT: null, flat code, flat data, data with a 4 KiB limit (0x18). IDT: #GP → 0x08:0x7c40.
      const { machine, state } = await gdtMachine(jit, program, 'ff0f000000934000');
      machine.memory.load(0x7c40, Buffer.from(handler, 'hex'));
      machine.memory.load(0x7800 + 13 * 8, Buffer.from('407c0800008e0000', 'hex'));
      state.idt = { base: 0x7800, baseHigh: 0, limit: 0x7f };
      const stop = await machine.run({ timeoutMs: 10_000 });
      expect(stop.reason, JSON.stringify(stop)).toBe('exit');
      flags[jit] = machine.vcpus[0].state.gprLow[2] & 0x8d5;
    }
    // 5 - 7: CF, AF and SF set; ZF, PF and OF clear.
    expect(flags).toEqual({ off: 0x91, on: 0x91, lockstep: 0x91 });
  }, 60_000);

  test('a loop going round inside its compiled function still lets the run loop look at the clock', async () => {
    // bits 32: mov ecx, 20000000 / L: dec ecx / jnz L / out 0xf4, al (40 M instructions in a
    // trace that loops back to its entry)
    const { machine, vcpu } = await gdtMachine('on', 'b9002d31014975fde6f4', '');
    const binding = (vcpu() as unknown as { binding: { nowNs(): number } }).binding;
    const nowNs = binding.nowNs.bind(binding);
    let looks = 0;
    binding.nowNs = () => {
      looks++;
      return nowNs();
    };
    const stop = await machine.run({ timeoutMs: 60_000 });
    expect(stop.reason, JSON.stringify(stop)).toBe('exit');
    const retired = vcpu().instructionsRetired;
    expect(retired).toBeGreaterThan(40_000_000);
    // At least one look per 2 × 65536 instructions (1024 rounds × 2048 chained calls would be
    // one per 4 M).
    expect(looks).toBeGreaterThan(retired / 131072);
  }, 60_000);

  test('a call through a register and its RET, compiled and chained, change nothing', async () => {
    // bits 32: mov ecx, 1000 / xor eax, eax / mov ebx, f / L: call ebx / dec ecx / jnz L /
    // out 0xf4, al / f (0x7c13): add eax, ecx / ret — EAX ends as 1 + … + 1000 = 500500
    const program = 'b9e803000031c0bb137c0000ffd34975fbe6f401c8c3';
    const results = await runEachMode(program, ['off', 'on', 'lockstep'], [0], (jit, v) => {
      if (jit === 'off') return;
      expect(v.jit.compiledCount).toBeGreaterThan(0);
      // f's trace goes on through its RET to where it returned while interpreted (the loop).
      const rets = [...v.jit.live()].flatMap((b) =>
        b.trace!.insns.filter((i, k) => i.opc === 0xc3 && b.trace!.follow[k] === 'computed'),
      );
      expect(rets.length).toBeGreaterThan(0);
    });
    expect(results.off[0]).toBe(500500);
    expect(results.on).toEqual(results.off);
    expect(results.lockstep).toEqual(results.off);
  }, 60_000);

  test('a branch that goes both ways in a loop runs its other side inside the trace, changing nothing', async () => {
    // bits 32: mov ecx, 1000 / xor eax, eax / xor ebx, ebx / top (0x7c09): test cl, 1 / je even /
    // add eax, ecx / dec ecx / jnz top / out 0xf4, al / even: inc ebx / dec ecx / jnz top /
    // out 0xf4, al — the JE alternates; the trace follows one way and compiles the other in as
    // a side block (both go back to TOP). EAX ends as 1 + 3 + … + 999 = 250000, EBX as 500.
    const program = 'b9e803000031c031dbf6c101740701c84975f6e6f4434975f0e6f4';
    const results = await runEachMode(program, ['off', 'on', 'lockstep'], [0, 3], (jit, v) => {
      if (jit !== 'on') return;
      const top = [...v.jit.live()].find((b) => b.key === 0x7c09 * 2 + 1);
      expect(top?.trace?.side[1]).toBeDefined();
    });
    expect(results.off.slice(0, 2)).toEqual([250000, 500]);
    expect(results.on).toEqual(results.off);
    expect(results.lockstep).toEqual(results.off);
  }, 60_000);

  test('a computed transfer going elsewhere than its trace predicted leaves the trace there', async () => {
    // bits 32: mov ecx, 1000 / xor eax, eax / L: call f / inc eax / back: dec ecx / jnz L /
    // out 0xf4, al / f: test cl, 3 / jz normal / mov dword [esp], back / normal: ret — three
    // calls in four, f replaces its return address, so the trace that follows the CALL into f and
    // its RET back to the return site (the usual prediction) is wrong there. EAX ends as 250.
    const program = 'b9e803000031c0e806000000404975f7e6f4f6c1037407c704240d7c0000c3';
    const results = await runEachMode(program, ['off', 'on', 'lockstep'], [0], (jit, v) => {
      if (jit !== 'on') return;
      // (the trace at L runs the MOV and then a RET it follows to INC EAX, which is wrong)
      const wrong = [...v.jit.live()].filter((b) => {
        const t = b.trace!;
        const mov = t.insns.findIndex((i) => i.opc === 0xc7);
        return mov >= 0 && t.insns[mov + 1]?.opc === 0xc3 && t.follow[mov + 1] === 'computed';
      });
      expect(wrong.length).toBeGreaterThan(0);
    });
    expect(results.off[0]).toBe(250);
    expect(results.on).toEqual(results.off);
    expect(results.lockstep).toEqual(results.off);
  }, 60_000);

  test('a tiny code budget evicts compiled code and changes nothing', async () => {
    const { vcpu } = await runChecked('bench', { jit: 'on', hotThreshold: 0, codeBudgetBytes: 16384 });
    expect(vcpu.jit.evictions).toBeGreaterThan(0);
    expect(vcpu.jit.bytes).toBeLessThanOrEqual(16384);
  }, 60_000);
});

describe('bounded memory', () => {
  test('a guest that keeps writing new code stays within the compiled-code budget', async () => {
    const rom = new Uint8Array(readFileSync(new URL('../guests/jit/codegen.bin', import.meta.url)));
    const { accel, vcpu } = accelerator({ jit: 'on', hotThreshold: 24, codeBudgetBytes: 64 * 1024 });
    const { machine, output } = await createGuestMachine(accel, rom, { layout: 'qemu-pc' });
    machine.memory.write(0x7000, 4, 1500); // rounds
    const stop = await machine.run({ timeoutMs: 120_000 });
    expect(stop).toEqual({ reason: 'exit', status: 1 });
    expect(output().length).toBeGreaterThan(0);
    const jit = vcpu().jit;
    // Each round's function is new code; compiled when hot until its page has been rewritten
    // often, then compiled ever more rarely (compiling costs more than the function's runs).
    expect(jit.compiledCount).toBeGreaterThan(16);
    expect(jit.compiledCount).toBeLessThan(1500);
    expect(jit.bytes).toBeLessThanOrEqual(64 * 1024);
  }, 120_000);
});

describe('lockstep checking', () => {
  test('compiled blocks match the interpreter block by block on the bench guest', async () => {
    const { vcpu } = await runChecked('bench', { jit: 'lockstep' });
    expect(vcpu.lockstep!.blocksCompared).toBeGreaterThan(1000);
  }, 60_000);

  // Every guest of this package, each for a bounded number of instructions (TSVM_LOCKSTEP_INSNS):
  // a fixed clock of 1 µs per instruction makes the time budget an exact instruction count.
  const NS_PER_INSN = 1000;
  const budget = (Number(process.env.TSVM_LOCKSTEP_INSNS ?? 2_000_000) * NS_PER_INSN) / 1e6;
  test.each(guests.names())(
    'guest %s runs in lockstep without a difference',
    async (name) => {
      const { accel } = accelerator({ jit: 'lockstep' });
      const g = guests.load(name);
      const r = await runRomGuest(accel, g, { timeoutMs: budget, nsPerInstruction: NS_PER_INSN });
      expect(r.stop.reason, JSON.stringify(r.stop)).not.toBe('error');
    },
    60_000,
  );

  test('a bug planted in one generated instruction is caught and named', async () => {
    const g = guests.load('bench');
    const { accel, vcpu } = accelerator({ jit: 'lockstep' });
    const { machine } = await createGuestMachine(accel, g.rom, { layout: 'qemu-pc' });
    // Corrupt EBX after the first translated `add` (opcode 01) of every block that has one.
    let planted = 0;
    vcpu().jit.hook = (source) => {
      const m = /\/\*@insn (\d+) opc 1\*\/[^\n]*\n/.exec(source);
      if (!m) return source;
      planted++;
      return source.replace(m[0], `${m[0]}    r3 = (r3 ^ 0x100) | 0;\n`);
    };
    const stop = await machine.run({ timeoutMs: 60_000 });
    expect(planted).toBeGreaterThan(0);
    expect(stop.reason).toBe('error');
    const message = (stop as { message: string }).message;
    expect(message).toMatch(/lockstep: compiled code and interpreter differ in the block at CS:EIP/);
    expect(message).toMatch(
      /instruction \d+ 'add' \(opcode 01\) at EIP 0x[0-9a-f]+: e[a-d]x: compiled 0x[0-9a-f]+, interpreter/,
    );
  }, 60_000);

  test('a bug planted in a side block is caught and named on the path that ran', async () => {
    // The loop of 'a branch that goes both ways…': INC EBX sits in the side block of top's trace.
    const program = 'b9e803000031c031dbf6c101740701c84975f6e6f4434975f0e6f4';
    // (compiled after 8 interpreted runs: a side block needs the branch's record)
    const { machine, vcpu } = await gdtMachine('lockstep', program, '', { hotThreshold: 8 });
    let planted = 0;
    // (only in the trace entered at top: the block at `even` compiled alone stays right)
    vcpu().jit.hook = (source, block) => {
      const m = /\/\*@insn (\d+) opc 43\*\/[^\n]*\n/.exec(source);
      if (!m || block.key !== 0x7c09 * 2 + 1) return source;
      planted++;
      return source.replace(m[0], `${m[0]}    r3 = (r3 + 16) | 0;\n`);
    };
    const stop = await machine.run({ timeoutMs: 10_000 });
    expect(planted).toBeGreaterThan(0);
    expect(stop.reason).toBe('error');
    const message = (stop as { message: string }).message;
    expect(message).toMatch(
      /lockstep: compiled code and interpreter differ in the block at CS:EIP 0x8:0x7c09/,
    );
    expect(message).toMatch(
      /instruction \d+ 'inc' \(opcode 43\) at EIP 0x7c15: ebx: compiled 0x[0-9a-f]+, interpreter 0x[0-9a-f]+;/,
    );
  }, 60_000);
});

describe('hosts that forbid new Function', () => {
  const realFunction = globalThis.Function;
  afterEach(() => {
    globalThis.Function = realFunction;
    forgetFunctionProbe();
    forgetNotice();
  });

  test('the executor interprets, with one notice, and gives the same result', async () => {
    // As a Content-Security-Policy without 'unsafe-eval' does: the Function constructor throws.
    globalThis.Function = function refused() {
      throw new EvalError('Refused to evaluate a string as JavaScript (unsafe-eval is not allowed)');
    } as unknown as FunctionConstructor;
    forgetFunctionProbe();
    forgetNotice();
    const notices: string[] = [];
    const first = await runChecked('bench', { jit: 'on', hotThreshold: 0, notice: (m) => notices.push(m) });
    const second = await runChecked('smoke', { jit: 'on', notice: (m) => notices.push(m) });
    expect(first.vcpu.jit.enabled).toBe(false);
    expect(second.vcpu.jit.enabled).toBe(false);
    expect(first.vcpu.jit.compiledCount).toBe(0);
    expect(notices).toEqual([
      'tsvm accel-tcg: this host forbids new Function (Content-Security-Policy without unsafe-eval); the block compiler is off and every block is interpreted',
    ]);
  }, 60_000);
});
