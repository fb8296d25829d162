import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiMonitor } from '../src/fuzz/stress/monitor.ts';

// The monitor's thread against a stand-in /healthz: it reports the largest block the API claims and
// counts answers slower than the health timeout (1 s) as failures.
describe('the API monitor', () => {
  let stall = false;
  let block = 0;
  const server = createServer((req, res) => {
    const answer = () => res.end(JSON.stringify({ status: 'ok', eventLoopDelayMaxMs: block }));
    if (req.url === '/healthz' && stall) setTimeout(answer, 1_500);
    else answer();
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reports the max block, RSS of the given pid, and the failed health checks', async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const monitor = new ApiMonitor(url, process.pid);
    try {
      await monitor.start();
      block = 42;
      await new Promise((r) => setTimeout(r, 600));
      block = 7;
      stall = true;
      await new Promise((r) => setTimeout(r, 2_500));
      stall = false;
      const vitals = await monitor.stop();
      expect(vitals.maxEventLoopBlockMs).toBe(42);
      expect(vitals.healthFailures).toBeGreaterThanOrEqual(1);
      expect(vitals.healthChecks).toBeGreaterThan(vitals.healthFailures);
      expect(vitals.maxRssMiB).toBeGreaterThan(10);
    } finally {
      await monitor.close();
    }
  });
});
