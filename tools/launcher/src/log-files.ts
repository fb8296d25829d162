import { createWriteStream, mkdirSync, renameSync, statSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';

const ROTATE_BYTES = 20 * 1024 * 1024;

/** One append-only log file per service under `<data dir>/logs/`, rotated once it passes 20 MiB. */
export class LogFiles {
  readonly dir: string;
  private readonly streams = new Map<string, WriteStream>();

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'logs');
    mkdirSync(this.dir, { recursive: true });
  }

  path(service: string): string {
    return join(this.dir, `${service}.log`);
  }

  /** Notes an event (start, restart, stop) in the service's log. */
  mark(service: string, text: string): void {
    this.stream(service).write(`--- ${new Date().toISOString()} ${text}\n`);
  }

  write(service: string, line: string): void {
    this.stream(service).write(`${line}\n`);
  }

  private stream(service: string): WriteStream {
    let stream = this.streams.get(service);
    if (!stream) {
      const file = this.path(service);
      try {
        if (statSync(file).size > ROTATE_BYTES) renameSync(file, `${file}.1`);
      } catch {
        // no file yet
      }
      stream = createWriteStream(file, { flags: 'a' });
      this.streams.set(service, stream);
    }
    return stream;
  }

  async close(): Promise<void> {
    await Promise.all(
      [...this.streams.values()].map((stream) => new Promise<void>((resolve) => stream.end(resolve))),
    );
    this.streams.clear();
  }
}
