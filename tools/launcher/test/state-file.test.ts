import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { AlreadyRunningError, cmdlineOf, StackStateFile } from '../src/state-file.ts';

const dirs: string[] = [];
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'state-file-'));
  dirs.push(dir);
  return dir;
}

/** A real idle process and its cmdline, as the launcher would have recorded it. */
async function idleProcess(): Promise<{ child: ChildProcess; record: { pid: number; cmdline: string } }> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  children.push(child);
  await once(child, 'spawn');
  const pid = child.pid as number;
  for (let i = 0; i < 50 && !cmdlineOf(pid)?.includes('setInterval'); i++) await sleep(20);
  return { child, record: { pid, cmdline: cmdlineOf(pid) ?? '' } };
}

const writeState = (dir: string, state: unknown) =>
  writeFileSync(join(dir, 'stack.json'), typeof state === 'string' ? state : JSON.stringify(state));

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : once(child, 'exit');

describe('StackStateFile.acquire', () => {
  it('takes an empty data dir and records this process as the supervisor', async () => {
    const dir = dataDir();
    const { state, cleaned } = await StackStateFile.acquire(dir);
    expect(cleaned).toEqual([]);
    const saved = JSON.parse(readFileSync(join(dir, 'stack.json'), 'utf8'));
    expect(saved).toMatchObject({ supervisor: { pid: process.pid }, children: {} });
    state.release();
  });

  it('ignores a state file it cannot read', async () => {
    const dir = dataDir();
    writeState(dir, '{not json');
    const { state, cleaned } = await StackStateFile.acquire(dir);
    expect(cleaned).toEqual([]);
    state.release();
  });

  it('refuses a data dir whose supervisor is still running', async () => {
    const dir = dataDir();
    const { record } = await idleProcess();
    writeState(dir, { supervisor: record, startedAt: '', children: {} });
    await expect(StackStateFile.acquire(dir)).rejects.toBeInstanceOf(AlreadyRunningError);
  });

  it('stops the children a killed launcher left behind, and leaves a recycled pid alone', async () => {
    const dir = dataDir();
    const leftover = await idleProcess();
    const stranger = await idleProcess();
    writeState(dir, {
      supervisor: { pid: 999_999_999, cmdline: 'gone' },
      startedAt: '',
      children: {
        redis: leftover.record,
        // Same pid, another command line: the pid was reused by a process we did not start.
        api: { pid: stranger.record.pid, cmdline: 'node apps/api/src/main.ts' },
      },
    });
    const { state, cleaned } = await StackStateFile.acquire(dir);
    expect(cleaned).toEqual([`redis (pid ${leftover.record.pid})`]);
    await exited(leftover.child);
    expect(leftover.child.signalCode).toBe('SIGTERM');
    expect(stranger.child.exitCode).toBeNull();
    expect(stranger.child.signalCode).toBeNull();
    state.release();
  });
});
