import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../src/machine/virtual-clock.js';

describe('virtual clock', () => {
  it('stands still while stopped and follows the host while running', () => {
    let host = 1000;
    const clock = new VirtualClock(() => host);
    expect(clock.nowNs()).toBe(0);
    host += 500;
    expect(clock.nowNs()).toBe(0);
    clock.start();
    host += 300;
    expect(clock.nowNs()).toBe(300);
    clock.stop();
    host += 10_000;
    expect(clock.nowNs()).toBe(300);
    clock.start();
    host += 1;
    expect(clock.nowNs()).toBe(301);
    clock.set(5_000);
    expect(clock.nowNs()).toBe(5_000);
  });

  it('fires due timers in deadline order and skips cancelled ones', () => {
    let host = 0;
    const clock = new VirtualClock(() => host);
    clock.start();
    const fired: string[] = [];
    clock.schedule(30, () => fired.push('c'));
    clock.schedule(10, () => fired.push('a'));
    const cancelled = clock.schedule(20, () => fired.push('b'));
    cancelled.cancel();
    expect(clock.nextDeadlineNs()).toBe(10);
    host = 25;
    clock.runExpired();
    expect(fired).toEqual(['a']);
    host = 40;
    clock.runExpired();
    expect(fired).toEqual(['a', 'c']);
    expect(clock.nextDeadlineNs()).toBe(Number.POSITIVE_INFINITY);
  });
});
