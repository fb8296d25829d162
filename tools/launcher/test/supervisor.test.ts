import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { ManagedProcess } from '@photomaker/harness';
import { describe, expect, it } from 'vitest';
import { LogFiles } from '../src/log-files.ts';
import { Reporter } from '../src/reporter.ts';
import { StackStateFile } from '../src/state-file.ts';
import { CRASH_LIMIT, type ServiceSpec, type Started, Supervisor } from '../src/supervisor.ts';

/** A real child process that runs `script`, then says it is ready. */
function nodeService(name: string, script: string, onStart?: (started: Started) => void): ServiceSpec {
  return {
    name,
    describe: name,
    summary: () => `${name} up`,
    stopGraceMs: 2_000,
    start: async (onLine) => {
      const child = new ManagedProcess({
        name,
        command: process.execPath,
        // The script first (a SIGTERM handler, say), so it is in place before the parent sees "ready".
        args: ['-e', `${script}; console.log('listening on http://127.0.0.1:1');`],
        onLine,
      });
      await child.waitForLine(/listening on/, 10_000);
      const started: Started = { process: child, stop: (grace) => child.stop(grace) };
      onStart?.(started);
      return started;
    },
  };
}

async function harness() {
  const dataDir = mkdtempSync(join(tmpdir(), 'stack-supervisor-'));
  const out = new PassThrough();
  let printed = '';
  out.on('data', (chunk) => {
    printed += chunk;
  });
  const reporter = new Reporter({
    verbose: false,
    out: out as unknown as NodeJS.WriteStream,
    err: out as unknown as NodeJS.WriteStream,
  });
  const logs = new LogFiles(dataDir);
  const { state } = await StackStateFile.acquire(dataDir);
  let fatal: (message: string) => void = () => {};
  const failed = new Promise<string>((resolve) => {
    fatal = resolve;
  });
  const supervisor = new Supervisor({
    reporter,
    logs,
    state,
    onFatal: (m) => fatal(m),
    restartDelayMs: () => 50,
  });
  return { supervisor, failed, printed: () => printed, logs, dataDir, state };
}

describe('Supervisor', () => {
  it('restarts a service that crashes after the stack is ready', async () => {
    const h = await harness();
    const pids: number[] = [];
    // Crashes once (the first run), then stays up.
    const marker = join(h.dataDir, 'crashed-once');
    await h.supervisor.startGroup([
      nodeService(
        'flaky',
        `const fs = require('node:fs'); if (!fs.existsSync(${JSON.stringify(marker)})) { fs.writeFileSync(${JSON.stringify(marker)}, ''); setTimeout(() => process.exit(3), 100); } else setInterval(() => {}, 1000);`,
        (s) => pids.push(s.process.pid ?? 0),
      ),
    ]);
    h.supervisor.superviseFromNowOn();
    const deadline = Date.now() + 10_000;
    while (pids.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(pids).toHaveLength(2);
    expect(h.printed()).toContain('flaky exited (code 3, signal null); restarting in 0.05 s');
    expect(h.printed()).toContain('restarted: flaky up');
    const state = JSON.parse(readFileSync(join(h.dataDir, 'stack.json'), 'utf8'));
    expect(state.children.flaky.pid).toBe(pids[1]);
    await h.supervisor.stopAll(false);
    expect(h.supervisor.get('flaky')?.process.running).toBe(false);
  });

  it(`gives up after ${CRASH_LIMIT} crashes in a row, with the log tail`, async () => {
    const h = await harness();
    let starts = 0;
    await h.supervisor.startGroup([
      nodeService(
        'broken',
        `console.error('boom: cannot open the thing'); setTimeout(() => process.exit(7), 50);`,
        () => {
          starts += 1;
        },
      ),
    ]);
    h.supervisor.superviseFromNowOn();
    const message = await h.failed;
    expect(starts).toBe(CRASH_LIMIT);
    expect(message).toContain(
      `broken failed ${CRASH_LIMIT} times within 120 s (last: exited (code 7, signal null))`,
    );
    expect(message).toContain('boom: cannot open the thing');
    expect(message).toContain(h.logs.path('broken'));
    await h.supervisor.stopAll(false);
  });

  it('stops services in the reverse order of start, and says when it had to kill one', async () => {
    const h = await harness();
    const order: string[] = [];
    const tracked = (name: string, script: string): ServiceSpec => {
      const spec = nodeService(name, script);
      return {
        ...spec,
        stopGraceMs: 300,
        start: async (onLine) => {
          const started = await spec.start(onLine);
          return {
            ...started,
            stop: async (grace) => {
              order.push(name);
              await started.stop(grace);
            },
          };
        },
      };
    };
    await h.supervisor.startGroup([tracked('first', 'setInterval(() => {}, 1000);')]);
    await h.supervisor.startGroup([tracked('second', 'setInterval(() => {}, 1000);')]);
    // Ignores SIGTERM: only SIGKILL ends it.
    await h.supervisor.startGroup([
      tracked('stubborn', "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000);"),
    ]);
    await h.supervisor.stopAll();
    expect(order).toEqual(['stubborn', 'second', 'first']);
    expect(h.printed()).toContain('stubborn  killed: it did not stop within 0.3 s of SIGTERM');
    expect(h.printed()).toMatch(/✓ first\s+stopped/);
    h.state.release();
  });
});
