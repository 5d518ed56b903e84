import { makeSegment, x86Arch } from '@tsvm/arch-x86';
import { Machine } from '@tsvm/core';
import { Mulberry32 } from '@tsvm/x86-testsuite';
import { describe, expect, test } from 'vitest';
import { TcgAccelerator, tcg } from '../src/index.js';
import { bareMachine } from './harness/bare-machine.js';

const bytes = (hex: string) =>
  Uint8Array.from(
    hex
      .trim()
      .split(/\s+/)
      .map((b) => Number.parseInt(b, 16)),
  );

/** One maskable interrupt line delivering vector 0x20: `raise()` makes it pending until acknowledged. */
function irqLine(machine: Machine) {
  const line = {
    pending: false,
    acknowledged: 0,
    raise() {
      line.pending = true;
      machine.kick();
    },
  };
  machine.setInterruptLines({
    hasInterrupt: () => line.pending,
    acknowledge: () => {
      line.pending = false;
      line.acknowledged++;
      return 0x20;
    },
    hasNmi: () => false,
    takeNmi: () => {},
  });
  return line;
}

describe('accelerator object', () => {
  test('probe says available, with a reason', () => {
    const p = new TcgAccelerator().probe();
    expect(p.available).toBe(true);
    expect(p.reason).toMatch(/TypeScript/);
  });

  test('refuses architectures other than x86', () => {
    expect(() => new TcgAccelerator().createVm({ arch: 'riscv', cpuCount: 1 })).toThrow(
      "accelerator 'tcg' runs x86 guests only, not 'riscv'",
    );
  });
});

describe('run loop', () => {
  test('HLT with IF set waits for the interrupt controller; HLT with IF clear stops the machine', async () => {
    // mov word [0x80], handler / mov word [0x82], 0 / sti / hlt / mov al, [0x600] / out 0xe9, al
    // cli / hlt / handler: mov byte [0x600], 'A' / iret
    const { machine, text } = await bareMachine();
    machine.memory.load(
      0x7c00,
      bytes('c7 06 80 00 15 7c c7 06 82 00 00 00 fb f4 a0 00 06 e6 e9 fa f4 c6 06 00 06 41 cf'),
    );
    const irq = irqLine(machine);
    machine.clock.schedule(2e6, () => irq.raise());
    const stop = await machine.run({ timeoutMs: 1000 });
    expect(irq.acknowledged).toBe(1);
    expect(text()).toBe('A');
    expect(stop).toEqual({
      reason: 'halted',
      message: 'vCPU halted with interrupts disabled and nothing pending',
    });
  });

  test('an endless loop returns at the deadline instead of hanging', async () => {
    const { machine } = await bareMachine();
    machine.memory.load(0x7c00, bytes('eb fe')); // jmp $
    const stop = await machine.run({ timeoutMs: 30 });
    expect(stop.reason).toBe('timeout');
  });

  test('maxInstructions bounds one run call', async () => {
    const { machine } = await bareMachine();
    machine.memory.load(0x7c00, bytes('40 eb fd')); // inc ax / jmp back
    machine.start();
    const vcpu = machine.vcpus[0];
    const exit = await vcpu.run({ deadlineNs: Number.POSITIVE_INFINITY, maxInstructions: 10_000 });
    expect(exit.kind).toBe('yield');
    const ax = vcpu.state.gprLow[0] & 0xffff;
    expect(ax).toBeGreaterThanOrEqual(5000);
    expect(ax).toBeLessThan(5200);
  });

  test('between runs the canonical state is exact: EIP and materialized flags', async () => {
    const { machine } = await bareMachine();
    // xor ax, ax (ZF, PF set lazily) / hlt with IF clear
    machine.memory.load(0x7c00, bytes('31 c0 f4'));
    const stop = await machine.run({ timeoutMs: 100 });
    expect(stop.reason).toBe('halted');
    const s = machine.vcpus[0].state;
    expect(s.eip).toBe(0x7c03);
    expect(s.rflags).toBe(0x46);
    expect(s.mpState).toBe(3);
  });
});

describe('events and identification', () => {
  test('an NMI is taken with IF clear and blocks further NMIs until IRET', async () => {
    // IVT[2] = nmi / cli / spin: inc cx; jmp spin / nmi: mov al, 'N'; out 0xe9, al; hlt
    const { machine, text } = await bareMachine();
    machine.memory.load(0x7c00, bytes('c7 06 08 00 10 7c c7 06 0a 00 00 00 fa 41 eb fd b0 4e e6 e9 f4'));
    let nmis = 0;
    let taken = 0;
    // Raised once the IVT entry is in place (as a board would, some time after boot).
    machine.clock.schedule(2e6, () => {
      nmis = 2;
      machine.kick();
    });
    machine.setInterruptLines({
      hasInterrupt: () => false,
      acknowledge: () => 0,
      hasNmi: () => nmis > 0,
      takeNmi: () => {
        nmis--;
        taken++;
      },
    });
    // The handler halts, so this only bounds a loaded machine (100 ms was too tight there).
    const stop = await machine.run({ timeoutMs: 5_000 });
    // The handler halts without IRET: the second NMI stays pending (blocked), HLT is final.
    expect(text()).toBe('N');
    expect(taken).toBe(1);
    expect(machine.vcpus[0].state.events.nmi.masked).toBe(true);
    expect(stop.reason).toBe('halted');
  });

  test('the TSC keeps counting virtual time while the vCPU is halted (HLT idle time is TSC time)', async () => {
    // IVT[0x20] = handler / rdtsc → [0x500] / sti / hlt / rdtsc → [0x508] / cli / hlt / handler: iret
    const { machine } = await bareMachine();
    machine.memory.load(
      0x7c00,
      bytes(
        'c7 06 80 00 26 7c c7 06 82 00 00 00 0f 31 66 a3 00 05 66 89 16 04 05 fb f4 0f 31 66 a3 08 05 66 89 16 0c 05 fa f4 cf',
      ),
    );
    const irq = irqLine(machine);
    // The interrupt that ends the HLT comes 5 ms of virtual time after the start.
    machine.clock.schedule(5e6, () => irq.raise());
    expect((await machine.run({ timeoutMs: 1000 })).reason).toBe('halted');
    const tsc = (at: number) =>
      Number(machine.memory.read(at, 4)) + Number(machine.memory.read(at + 4, 4)) * 2 ** 32;
    const delta = tsc(0x508) - tsc(0x500);
    // 1 GHz of virtual time: 5 ms of idle is 5,000,000 ticks (plus a few instructions').
    expect(delta).toBeGreaterThanOrEqual(4_990_000);
    expect(delta).toBeLessThan(5_100_000);
  });

  test('STI blocks interrupts for one instruction: "sti; hlt" with an interrupt pending still halts first', async () => {
    // IVT[0x20] = handler / sti / hlt / mov al,'B'; out 0xe9,al / cli / hlt
    // handler: mov al,'A'; out 0xe9,al; iret
    const { machine, text } = await bareMachine();
    machine.memory.load(
      0x7c00,
      bytes('c7 06 80 00 14 7c c7 06 82 00 00 00 fb f4 b0 42 e6 e9 fa f4 b0 41 e6 e9 cf'),
    );
    irqLine(machine).raise();
    const stop = await machine.run({ timeoutMs: 100 });
    // Without the shadow the interrupt would come before HLT, and HLT would then wait forever.
    expect(text()).toBe('AB');
    expect(stop.reason).toBe('halted');
  });

  test('CPUID reports GenuineIntel family 6 with only the features this executor has, and a hypervisor', async () => {
    // xor eax,eax; cpuid; mov [0x500],ebx; mov [0x504],edx; mov [0x508],ecx; mov eax,1; cpuid; cli; hlt
    const { machine, state } = await bareMachine();
    machine.memory.load(
      0x7c00,
      bytes('66 31 c0 0f a2 66 89 1e 00 05 66 89 16 04 05 66 89 0e 08 05 66 b8 01 00 00 00 0f a2 fa f4'),
    );
    await machine.run({ timeoutMs: 100 });
    expect(new TextDecoder().decode(machine.memory.readBytes(0x500, 12))).toBe('GenuineIntel');
    expect(state.gprLow[0]).toBe(0x619); // family 6, model 1, stepping 9
    const edx = state.gprLow[2];
    expect(edx & 1).toBe(1); // x87 FPU
    for (const bit of [3, 4, 5, 6, 8, 11, 15]) expect((edx >>> bit) & 1).toBe(1); // PSE TSC MSR PAE CX8 SEP CMOV
    expect((edx >>> 23) & 1).toBe(1); // MMX
    expect((edx >>> 24) & 1).toBe(1); // FXSR
    expect((edx >>> 25) & 1).toBe(0); // no SSE
    const ecx = state.gprLow[1];
    expect(ecx >>> 0).toBe(0x8000_0000); // only HYPERVISOR: no SSE3 or later
  });

  test('RDMSR/WRMSR: the microcode signature MSR reads 0; an unknown MSR is #GP', async () => {
    // IVT[13] = gp / wrmsr 0x8b / rdmsr 0x8b → [0x500] / rdmsr 0x12345 (#GP) / gp: 'G'; cli; hlt
    const { machine, text } = await bareMachine();
    machine.memory.load(
      0x7c00,
      bytes(
        'c7 06 34 00 34 7c c7 06 36 00 00 00 66 b9 8b 00 00 00 66 31 c0 66 31 d2 0f 30 66 b8 34 12 00 00 0f 32 66 a3 00 05 66 89 16 04 05 66 b9 45 23 01 00 0f 32 f4 b0 47 e6 e9 fa f4',
      ),
    );
    await machine.run({ timeoutMs: 100 });
    expect(machine.memory.read(0x500, 4)).toBe(0);
    expect(machine.memory.read(0x504, 4)).toBe(0);
    expect(text()).toBe('G');
  });

  test('application processors wait for a start-up IPI, then start at VV00:0000', async () => {
    const { machine, state, text } = await bareMachine();
    machine.memory.load(0x9000, bytes('b0 41 e6 e9 fa f4')); // mov al,'A'; out 0xe9,al; cli; hlt
    state.mpState = 1; // Uninitialized
    machine.start();
    const vcpu = machine.vcpus[0];
    expect(await vcpu.run({ deadlineNs: Number.POSITIVE_INFINITY })).toEqual({
      kind: 'halt',
      wakeable: true,
    });
    state.events.sipiVector = 0x09;
    state.mpState = 4; // SipiReceived
    expect(await vcpu.run({ deadlineNs: Number.POSITIVE_INFINITY })).toEqual({
      kind: 'halt',
      wakeable: false,
    });
    expect(text()).toBe('A');
  });
});

describe('memory', () => {
  test('code fetched from unassigned memory reads all ones: FF FF is #UD, delivered through the IVT', async () => {
    // IVT[6] = ud_handler; jmp 0x9000:0 (RAM ends at 0x80000) / ud_handler: mov al,'U'; out 0xe9; cli; hlt
    const { machine, text } = await bareMachine();
    machine.memory.load(
      0x7c00,
      bytes('c7 06 18 00 11 7c c7 06 1a 00 00 00 ea 00 00 00 90 b0 55 e6 e9 fa f4'),
    );
    const stop = await machine.run({ timeoutMs: 200 });
    expect(text()).toBe('U');
    expect(stop.reason).toBe('halted');
  });

  test('code in MMIO runs from the device on every fetch (never cached)', async () => {
    // At D000:0000 an MMIO window serves: mov al, <ch> / out 0xe9, al / cli / hlt
    const { machine, text, state } = await bareMachine();
    let ch = 0x4d;
    let reads = 0;
    machine.memory.addMmio('rom-device', 0xd0000, 0x1000, {
      read: (offset, size) => {
        reads++;
        const prog = [0xb0, ch, 0xe6, 0xe9, 0xfa, 0xf4];
        let v = 0;
        for (let k = 0; k < size; k++) v |= (prog[offset + k] ?? 0xff) << (8 * k);
        return v;
      },
      write: () => {},
    });
    machine.memory.load(0x7c00, bytes('ea 00 00 00 d0')); // jmp 0xd000:0
    await machine.run({ timeoutMs: 100 });
    expect(text()).toBe('M');
    expect(reads).toBeGreaterThan(0);
    ch = 0x4e;
    state.eip = 0x7c00;
    state.cs.selector = 0;
    state.cs.base = 0;
    state.mpState = 0;
    await machine.run({ timeoutMs: 100 });
    expect(text()).toBe('MN');
  });

  test('MMIO accesses reach the device at their real width (a dword write is one write)', async () => {
    // Flat 32-bit: mov dword [0xd0010], 0x12345678 / mov ax, [0xd0020] / mov byte [0xd0030], 0x9a / hlt
    const { machine } = await bareMachine({ protectedMode: true });
    const accesses: string[] = [];
    machine.memory.addMmio('device', 0xd0000, 0x1000, {
      read: (offset, size) => {
        accesses.push(`r${size}@${offset.toString(16)}`);
        return 0xbeef;
      },
      write: (offset, size, value) =>
        void accesses.push(`w${size}@${offset.toString(16)}=${value.toString(16)}`),
    });
    machine.memory.load(
      0x7c00,
      bytes('c7 05 10 00 0d 00 78 56 34 12 66 a1 20 00 0d 00 c6 05 30 00 0d 00 9a f4'),
    );
    await machine.run({ timeoutMs: 100 });
    expect(accesses).toEqual(['w4@10=12345678', 'r2@20', 'w1@30=9a']);
    expect(machine.vcpus[0].state.gprLow[0] & 0xffff).toBe(0xbeef);
  });

  test('with the A20 gate off, physical address bit 20 is forced to zero', async () => {
    // mov ax, 0xffff / mov ds, ax / mov al, [0x20] (linear 0x100010) / out 0xe9, al / cli / hlt
    const program = bytes('b8 ff ff 8e d8 a0 20 00 e6 e9 fa f4');
    for (const a20 of [true, false]) {
      const { machine, text, state } = await bareMachine({ ramBytes: 0x200000 });
      machine.memory.load(0x7c00, program);
      machine.memory.write(0x000010, 1, 0x11);
      machine.memory.write(0x100010, 1, 0x22);
      state.a20Enabled = a20;
      await machine.run({ timeoutMs: 100 });
      expect(text()).toBe(a20 ? '\x22' : '\x11');
    }
  });
});

describe('self-modifying code across vCPUs', () => {
  test("a store by one vCPU drops another vCPU's translation of that page", async () => {
    const machine = await Machine.create({
      arch: x86Arch,
      accelerator: tcg,
      cpuCount: 2,
      onShutdown: 'stop',
    });
    machine.memory.addRam('ram', 0, 0x80000);
    const out: number[] = [];
    machine.ports.register('debugcon', 0xe9, 1, { write: (_p, _s, v) => void out.push(v) });
    machine.memory.load(0x8000, bytes('b0 41 e6 e9 c3')); // routine: mov al,'A'; out 0xe9,al; ret
    machine.memory.load(0x9000, bytes('e8 fd ef fa f4')); // vCPU 1: call 0x8000; cli; hlt
    machine.memory.load(0x7c00, bytes('c6 06 01 80 42 fa f4')); // vCPU 0: mov byte [0x8001],'B'; cli; hlt
    const [v0, v1] = machine.vcpus;
    for (const [v, ip] of [
      [v0, 0x7c00],
      [v1, 0x9000],
    ] as const) {
      v.state.cs = makeSegment({ selector: 0, base: 0, type: 0xb });
      v.state.eip = ip;
      v.state.mpState = 0;
    }
    machine.start();
    const forever = { deadlineNs: Number.POSITIVE_INFINITY };
    await v1.run(forever); // translates and runs the routine: 'A'
    await v0.run(forever); // patches the routine through its own TLB
    v1.state.eip = 0x9000;
    v1.state.mpState = 0;
    await v1.run(forever);
    expect(String.fromCharCode(...out)).toBe('AB');
  });
});

describe('bad input', () => {
  test('a device that throws during guest execution ends the run with an error naming where', async () => {
    // mov al, [0xd0000]: real mode, DS = 0xd000 would be needed; use a 32-bit flat read instead.
    const { machine } = await bareMachine({ protectedMode: true });
    machine.memory.addMmio('broken-device', 0xd0000, 0x1000, {
      read: () => {
        throw new Error('device exploded');
      },
      write: () => {},
    });
    machine.memory.load(0x7c00, bytes('a1 00 00 0d 00')); // mov eax, [0xd0000]
    const stop = await machine.run({ timeoutMs: 100 });
    expect(stop.reason).toBe('error');
    if (stop.reason !== 'error') return;
    expect(stop.message).toMatch(/^execution failed at CS:EIP 0008:00007c00: Error: device exploded/);
    expect(stop.dump).toMatch(/RIP=0000000000007c00/);
  });

  test('random bytes as guest code never crash or hang the host: only guest events', async () => {
    const rng = new Mulberry32(0xbadc0de);
    const reasons = new Map<string, number>();
    for (let round = 0; round < 60; round++) {
      const protectedMode = round % 2 === 1;
      const { machine } = await bareMachine({ protectedMode });
      const junk = Uint8Array.from({ length: 0x8000 }, () => rng.int(256));
      machine.memory.load(0, junk.subarray(0, 0x400)); // a random IVT too
      machine.memory.load(0x7c00, junk);
      const stop = await machine.run({ timeoutMs: 20 });
      if (stop.reason === 'error') expect.fail(`round ${round}: ${stop.message}\n${stop.dump ?? ''}`);
      reasons.set(stop.reason, (reasons.get(stop.reason) ?? 0) + 1);
      machine.close();
    }
    // Real mode junk usually loops or halts; protected mode with an empty IDT triple-faults.
    expect([...reasons.keys()].every((r) => ['timeout', 'halted', 'shutdown', 'exit'].includes(r))).toBe(
      true,
    );
  }, 60_000);
});
