import { Writable } from 'node:stream';
import { OtlpReceiver } from '@photomaker/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerLinks, createLogger, currentTraceId, SpanKind, withSpan } from '../src/index.ts';
import { startTracing, type Tracing } from '../src/tracing/start.ts';

// Tracing on, exporting OTLP/HTTP JSON to a real receiver: what our helpers put in a trace.
let receiver: OtlpReceiver;
let tracing: Tracing;

beforeAll(async () => {
  receiver = await OtlpReceiver.start();
  tracing = startTracing({
    service: 'test',
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '20',
    },
  });
});

afterAll(async () => {
  await tracing.shutdown();
  await receiver.close();
});

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(JSON.parse(chunk.toString()));
      callback();
    },
  });
  return { lines, logger: createLogger({ service: 'test', destination }) };
}

describe('tracing on', () => {
  it('exports parent-linked spans; log lines and currentTraceId name the trace', async () => {
    expect(tracing.enabled).toBe(true);
    const { lines, logger } = capture();
    const caller = '0af7651916cd43dd8448eb211c80319c';
    const links = callerLinks({ traceparent: `00-${caller}-b7ad6b7169203331-01` });
    const traceId = await withSpan('test', 'request', { root: true, kind: SpanKind.SERVER, links }, () =>
      withSpan('test', 'step', { inTraceOnly: true, attributes: { 'photomaker.job_id': 'j1' } }, async () => {
        logger.info('inside');
        return currentTraceId();
      }),
    );
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(traceId).not.toBe(caller);
    // Not scrubbed away: the id is what leads from the line to the trace.
    expect(lines[0]).toMatchObject({ trace_id: traceId, span_id: expect.stringMatching(/^[0-9a-f]{16}$/) });
    const spans = await receiver.waitFor((all) => all.filter((s) => s.traceId === traceId).length === 2);
    const request = spans.find((s) => s.name === 'request');
    const step = spans.find((s) => s.name === 'step');
    expect(request).toMatchObject({ service: 'photomaker-test', parentSpanId: '', kind: 2 });
    expect(request?.links).toEqual([{ traceId: caller, spanId: 'b7ad6b7169203331' }]);
    expect(step).toMatchObject({ parentSpanId: request?.spanId, attributes: { 'photomaker.job_id': 'j1' } });
  });

  it('records a failure with a scrubbed message; `inTraceOnly` outside a trace makes no span', async () => {
    const failing = withSpan('test', 'delivery', { root: true }, async () => {
      throw new Error('POST https://hooks.example/h/secret-path?token=abcdef failed');
    });
    await expect(failing).rejects.toThrow('secret-path');
    const spans = await receiver.waitFor((all) => all.some((s) => s.name === 'delivery'));
    const delivery = spans.find((s) => s.name === 'delivery');
    expect(delivery?.status).toEqual({ code: 2, message: 'POST https://hooks.example failed' });
    expect(delivery?.attributes['error.type']).toBe('Error');
    const outside = await withSpan('test', 'orphan', { inTraceOnly: true }, async (span) =>
      span.isRecording(),
    );
    expect(outside).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(receiver.spans.some((s) => s.name === 'orphan')).toBe(false);
  });
});
