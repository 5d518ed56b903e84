import type { VmStatus } from './protocol.js';

function rate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(1)} M`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)} k`;
  return `${Math.round(perSecond)}`;
}

/** One line: state, guest instructions per second, virtual time, what runs. */
export function formatStatus(s: VmStatus): string {
  if (s.state === 'empty') return 'no machine: boot an image or load a snapshot';
  const state = s.detail ? `${s.state} (${s.detail})` : s.state;
  const parts = [
    state,
    `${rate(s.instructionsPerSecond)} guest instructions/s`,
    `virtual time ${(s.virtualNs / 1e9).toFixed(3)} s`,
  ];
  if (s.image) parts.push(s.image);
  if (s.ramBytes) parts.push(`${s.ramBytes / 1024 / 1024} MiB RAM`);
  return parts.join(' · ');
}
