const INTERVAL_MS = 10;

let last = performance.now();
let maxDelayMs = 0;

// A 10 ms interval timer that notes how late it fires: a block of the event loop delays it by the block's
// length. (perf_hooks' monitorEventLoopDelay reported ~16 ms for a 300 ms block here on Node 24, so the
// timer is measured directly.) unref: it never keeps the process alive.
setInterval(() => {
  const now = performance.now();
  maxDelayMs = Math.max(maxDelayMs, now - last - INTERVAL_MS);
  last = now;
}, INTERVAL_MS).unref();

/**
 * The longest event-loop block since the previous call, in milliseconds, then starts a new window.
 * `/healthz` reports it, so a load test polling health sees how long the API could not answer
 * (tools/chaos's stress classes read it per class).
 */
export function takeEventLoopDelayMaxMs(): number {
  // The current window also includes a block still being measured (the timer has not fired since).
  const now = performance.now();
  const max = Math.max(maxDelayMs, now - last - INTERVAL_MS, 0);
  maxDelayMs = 0;
  last = now; // so the timer's next tick does not count that block again in the new window
  return Math.round(max * 10) / 10;
}
