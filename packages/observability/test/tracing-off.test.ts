import { Writable } from 'node:stream';
import { trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { createLogger, currentTraceId, traceLogFields, withSpan } from '../src/index.ts';
import { startTracing } from '../src/tracing/start.ts';

// Without an endpoint nothing is registered: the spans our code makes are the API's no-ops.
describe('tracing off', () => {
  it('registers nothing: spans do not record, no trace id reaches a job or a log line', async () => {
    const tracing = startTracing({ service: 'test', env: { OTEL_SERVICE_NAME: 'x' } });
    expect(tracing.enabled).toBe(false);
    const lines: Record<string, unknown>[] = [];
    const destination = new Writable({
      write(chunk, _encoding, callback) {
        lines.push(JSON.parse(chunk.toString()));
        callback();
      },
    });
    const logger = createLogger({ service: 'test', destination });
    const seen = await withSpan('test', 'request', { root: true }, async (span) => {
      logger.info('inside');
      return { recording: span.isRecording(), active: trace.getActiveSpan(), traceId: currentTraceId() };
    });
    expect(seen).toEqual({ recording: false, active: undefined, traceId: undefined });
    expect(traceLogFields()).toEqual({});
    expect(lines[0]).not.toHaveProperty('trace_id');
    await tracing.shutdown();
  });
});
