import type { Machine } from '@tsvm/core';
import type { VmControl } from '../vm-control.js';

/**
 * The few HMP (human monitor) commands `human-monitor-command` understands. As in QEMU, the
 * reply is the monitor's text (CRLF line ends), and an unknown command is text too, not an error.
 */
export async function humanMonitorCommand(line: string, vm: VmControl, machine: Machine): Promise<string> {
  const words = line.trim().split(/\s+/);
  const command = words.join(' ');
  if (command === 'info registers') {
    // A debugger-style reader: pull the accelerator's registers into the canonical state first.
    const text = await machine.atSafePoint(() => {
      const vcpu = machine.vcpus[0];
      vcpu.synchronizeState();
      return machine.arch.formatCpuState(vcpu.state);
    });
    return crlf(text);
  }
  if (command === 'info status') {
    const s = vm.status;
    const text = s === 'running' ? 'running' : s === 'paused' ? 'paused' : `paused (${s})`;
    return `VM status: ${text}\r\n`;
  }
  if (command === 'info cpus') {
    return machine.vcpus
      .map((v) => `${v.index === 0 ? '*' : ' '} CPU #${v.index}: thread_id=${process.pid}\r\n`)
      .join('');
  }
  if (command === 'help' || command === 'info')
    return crlf(
      'info registers -- the vCPU registers\ninfo status -- the VM status\ninfo cpus -- the vCPUs\n',
    );
  return `unknown command: '${command}'\r\n`;
}

function crlf(text: string): string {
  return `${text.replace(/\r?\n/g, '\r\n').replace(/(\r\n)?$/, '\r\n')}`;
}
