import { styleText } from 'node:util';

type Style = Parameters<typeof styleText>[0];

export interface Step {
  done(detail?: string): void;
  fail(detail?: string): void;
}

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * Everything the launcher prints: one line per step with its timing, the service log lines in verbose
 * mode (errors always), warnings. Colours only on a terminal (styleText checks the stream and NO_COLOR).
 */
export class Reporter {
  private readonly out: NodeJS.WriteStream;
  private readonly err: NodeJS.WriteStream;
  readonly verbose: boolean;
  private readonly nameWidth = 9;

  constructor(options: { verbose: boolean; out?: NodeJS.WriteStream; err?: NodeJS.WriteStream }) {
    this.verbose = options.verbose;
    this.out = options.out ?? process.stdout;
    this.err = options.err ?? process.stderr;
  }

  private paint(style: Style, text: string, stream: NodeJS.WriteStream = this.out): string {
    return styleText(style, text, { stream });
  }

  line(text = ''): void {
    this.out.write(`${text}\n`);
  }

  heading(text: string): void {
    this.line(this.paint('bold', text));
  }

  /** A step that takes time: prints when it starts and when it ends, with how long it took. */
  step(name: string, what: string): Step {
    const started = performance.now();
    this.line(`  ${this.paint('dim', '…')} ${name.padEnd(this.nameWidth)} ${this.paint('dim', what)}`);
    let finished = false;
    const end = (ok: boolean, detail: string | undefined) => {
      if (finished) return;
      finished = true;
      const took = this.paint('dim', `(${seconds(performance.now() - started)})`);
      const mark = ok ? this.paint('green', '✓') : this.paint('red', '✗');
      this.line(`  ${mark} ${name.padEnd(this.nameWidth)} ${detail ?? what} ${took}`);
    };
    return { done: (detail) => end(true, detail), fail: (detail) => end(false, detail) };
  }

  info(text: string): void {
    this.line(`  ${this.paint('cyan', '•')} ${text}`);
  }

  warn(text: string): void {
    this.err.write(`${this.paint('yellow', 'warning:', this.err)} ${text}\n`);
  }

  error(text: string): void {
    this.err.write(`${this.paint('red', 'error:', this.err)} ${text}\n`);
  }

  /** A log line of a service: shown in verbose mode, and always when it is an error. */
  serviceLine(service: string, line: string): void {
    const parsed = parseLogLine(line);
    if (!this.verbose && (parsed.level ?? 0) < 50) return;
    const prefix = this.paint(
      parsed.level && parsed.level >= 50 ? 'red' : 'dim',
      `${service.padEnd(this.nameWidth)}|`,
    );
    this.out.write(`${prefix} ${parsed.text}\n`);
  }
}

/** pino JSON lines become `LEVEL message`; anything else passes through. */
function parseLogLine(line: string): { level?: number; text: string } {
  if (!line.startsWith('{')) return { text: line };
  try {
    const record = JSON.parse(line) as Record<string, unknown>;
    const level = typeof record.level === 'number' ? record.level : undefined;
    const msg = typeof record.msg === 'string' ? record.msg : line;
    const err =
      record.err && typeof record.err === 'object' && 'message' in record.err
        ? `: ${String(record.err.message)}`
        : '';
    return {
      ...(level !== undefined ? { level } : {}),
      text: `${LEVELS[level ?? 30] ?? level} ${msg}${err}`,
    };
  } catch {
    return { text: line };
  }
}
