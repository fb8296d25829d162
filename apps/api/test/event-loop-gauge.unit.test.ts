import { describe, expect, it } from 'vitest';
import { takeEventLoopDelayMaxMs } from '../src/http/event-loop-gauge.ts';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the event-loop gauge /healthz reports', () => {
  it('sees a synchronous block, then starts a new window', async () => {
    await tick(30);
    takeEventLoopDelayMaxMs();
    const until = performance.now() + 400;
    while (performance.now() < until) {
      // a 400 ms synchronous block: no timer can fire meanwhile
    }
    await tick(30);
    expect(takeEventLoopDelayMaxMs()).toBeGreaterThanOrEqual(390);
    // Nothing blocked since the previous read: the new window does not carry the block over (the bound is
    // loose because a loaded machine can deschedule the process for a while, which the gauge also sees).
    await tick(60);
    expect(takeEventLoopDelayMaxMs()).toBeLessThan(390);
  });
});
