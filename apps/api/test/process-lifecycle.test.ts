import { describe, expect, it } from 'vitest';
import { startApiProcess, tenants } from './helpers.ts';

describe('the API process', () => {
  it('drains and exits 0 on SIGTERM (not via its 15 s force-exit, which exits 1)', async () => {
    const api = await startApiProcess(tenants('lifecycle'));
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
    await api.stop(30_000);
    expect(await api.process.exited).toEqual({ code: 0, signal: null });
  });
});
