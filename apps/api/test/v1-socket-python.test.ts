import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PNG_DATA_URI, setEmulatorLatency, startApi, tenants } from './helpers.ts';
import { startTcpProxy } from './support/tcp-proxy.ts';

// Runware's official Python SDK (PyPI runware-sdk, pinned in tooling/bootstrap/system.sh, installed by
// `run.sh --need runware_python_sdk`) runs its flows unchanged against the API's /v1 WebSocket, through
// a proxy that cuts the connection in the middle of a multi-image job.
const python =
  process.env.RUNWARE_PYTHON ??
  fileURLToPath(new URL('../../../.tools/runware-sdk-1.8.0/bin/python', import.meta.url));
const script = fileURLToPath(new URL('./support/runware_python_flows.py', import.meta.url));
const who = tenants('py');
let api: Awaited<ReturnType<typeof startApi>>;
let proxy: Awaited<ReturnType<typeof startTcpProxy>>;

beforeAll(async () => {
  api = await startApi(who);
  proxy = await startTcpProxy(new URL(api.url));
});

afterAll(async () => {
  await setEmulatorLatency(0);
  await proxy?.close();
  await api?.server.close();
});

type Done = { uploaded: string; pushed: string[]; pushedTaskTypes: string[]; polled: string[] };

/** Runs the script; cuts every connection when it reports the first image; resolves with its result. */
function runFlows(): Promise<{ done: Done; drops: number }> {
  const wsUrl = `${proxy.url.replace(/^http/, 'ws')}/v1`;
  const child = spawn(python, [script, wsUrl, who.py.key, PNG_DATA_URI], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  let drops = 0;
  return new Promise((resolve, reject) => {
    let done: Done | undefined;
    createInterface({ input: child.stdout }).on('line', (line) => {
      const event = JSON.parse(line) as { event: string } & Done;
      if (event.event === 'first') {
        drops++;
        proxy.drop();
      }
      if (event.event === 'done') done = event;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0 && done) resolve({ done, drops });
      else reject(new Error(`python exited ${code}: ${stderr.slice(-2000)}`));
    });
  });
}

describe("Runware's Python SDK (runware-sdk, websocket transport) against /v1", () => {
  it('is installed by the bootstrap', () => {
    expect(
      existsSync(python),
      `${python}: run 'bash tooling/bootstrap/run.sh --need runware_python_sdk true'`,
    ).toBe(true);
  });

  it('uploads, runs a pushed 4-image photoMaker through a dropped connection without losing an image, and polls an async one', async () => {
    await setEmulatorLatency(400);
    const { done, drops } = await runFlows();
    expect(drops).toBe(1);
    expect(done.uploaded).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(done.pushed).size).toBe(4);
    expect(done.pushedTaskTypes).toEqual(['photoMaker']);
    expect(new Set(done.polled).size).toBe(2);
  }, 120_000);
});
