import { readFileSync, writeFileSync } from 'node:fs';

/** Linux reports CPU time in clock ticks; USER_HZ is 100 on every mainstream kernel build. */
const TICKS_PER_SECOND = 100;

export interface ProcSample {
  /** user + system CPU time so far, ms. */
  cpuMs: number;
  /** Resident set size now, bytes. */
  rssBytes: number;
  /** Peak resident set size (VmHWM) since start or the last reset, bytes. */
  peakRssBytes: number;
}

/** CPU and memory of one process from /proc (what `ps` and pidusage read, plus VmHWM for the peak). */
export function sampleProcess(pid: number): ProcSample | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces: fields after it start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) =>
      Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return {
      cpuMs: ((utime + stime) * 1000) / TICKS_PER_SECOND,
      rssBytes: kb('VmRSS'),
      peakRssBytes: kb('VmHWM'),
    };
  } catch {
    return undefined;
  }
}

/** Resets VmHWM to the current RSS (`echo 5 > /proc/<pid>/clear_refs`), so a phase measures its own peak. */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

export interface ProcessUsage {
  cpuMs: number;
  peakRssBytes: number;
  /** false when the process was restarted (or vanished) during the window: numbers are partial. */
  complete: boolean;
}

/**
 * CPU and peak RSS of a set of named processes over a window: `begin()` resets peaks and takes a first
 * sample, `end()` returns the deltas. Processes are looked up by name at both ends, so a restart in
 * between is detected (pid changed) rather than producing a negative delta.
 */
export class UsageWindow {
  private readonly pids: () => Record<string, number | undefined>;
  private first = new Map<string, { pid: number; sample: ProcSample }>();
  private peaks = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(pids: () => Record<string, number | undefined>) {
    this.pids = pids;
  }

  begin(): void {
    this.first.clear();
    this.peaks.clear();
    for (const [name, pid] of Object.entries(this.pids())) {
      if (pid === undefined) continue;
      resetPeakRss(pid);
      const sample = sampleProcess(pid);
      if (sample) this.first.set(name, { pid, sample });
    }
    // VmHWM covers the peak between samples; polling only catches restarts' peaks before they vanish.
    this.timer = setInterval(() => this.poll(), 1_000);
    this.timer.unref();
  }

  private poll(): void {
    for (const [name, pid] of Object.entries(this.pids())) {
      if (pid === undefined) continue;
      const sample = sampleProcess(pid);
      if (sample) this.peaks.set(name, Math.max(this.peaks.get(name) ?? 0, sample.peakRssBytes));
    }
  }

  end(): Record<string, ProcessUsage> {
    if (this.timer) clearInterval(this.timer);
    this.poll();
    const out: Record<string, ProcessUsage> = {};
    for (const [name, pid] of Object.entries(this.pids())) {
      if (pid === undefined) continue;
      const start = this.first.get(name);
      const now = sampleProcess(pid);
      if (!now) continue;
      const complete = start?.pid === pid;
      out[name] = {
        cpuMs: complete && start ? now.cpuMs - start.sample.cpuMs : now.cpuMs,
        peakRssBytes: Math.max(this.peaks.get(name) ?? 0, now.peakRssBytes),
        complete,
      };
    }
    return out;
  }
}
