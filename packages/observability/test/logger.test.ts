import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, createMetricsRegistry, scrub } from '../src/index.ts';

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

const DATA_URI = `data:image/png;base64,${'iVBORw0KGgo'.repeat(10)}`;

describe('logger', () => {
  it('writes one JSON object per line with service, level and time', () => {
    const { lines, logger } = capture();
    logger.info({ jobId: 'j1' }, 'job started');
    expect(lines[0]).toMatchObject({ service: 'test', level: 'info', jobId: 'j1', msg: 'job started' });
    expect(typeof lines[0]?.time).toBe('string');
  });

  it('censors API keys, auth headers and image payloads', () => {
    const { lines, logger } = capture();
    logger.info(
      {
        apiKey: 'rw-secret-key',
        req: { headers: { authorization: 'Bearer rw-secret-key' } },
        task: { inputImages: [DATA_URI], apiKey: 'rw-secret-key' },
        image: DATA_URI,
      },
      'request',
    );
    const text = JSON.stringify(lines);
    expect(text).not.toContain('rw-secret-key');
    expect(text).not.toContain('iVBORw0KGgo');
    expect(lines[0]).toMatchObject({ apiKey: '[redacted]', image: '[redacted]' });
  });

  it('scrubs secrets and image data out of messages and errors', () => {
    const { lines, logger } = capture();
    logger.warn(`failed with Authorization: Bearer rw-secret-key for ${DATA_URI}`);
    logger.error({ err: new Error(`upload of ${DATA_URI} failed`) }, 'boom');
    const text = JSON.stringify(lines);
    expect(text).not.toContain('rw-secret-key');
    expect(text).not.toContain('iVBORw0KGgo');
    expect(text).toContain('[image data]');
  });

  it('scrubs string fields: URLs keep their host, prompts are censored', () => {
    const { lines, logger } = capture();
    const hook = 'https://hooks.example.com/t/tok_9f8e7d6c5b4a39281706f5e4d3c2b1a0';
    logger.info({ url: hook, task: { webhookURL: hook, positivePrompt: 'a secret face' } }, 'delivering');
    const text = JSON.stringify(lines);
    expect(text).not.toContain('tok_9f8e');
    expect(text).not.toContain('a secret face');
    expect(lines[0]).toMatchObject({
      url: 'https://hooks.example.com',
      task: { webhookURL: 'https://hooks.example.com' },
    });
  });

  it('scrub leaves ordinary text alone', () => {
    expect(scrub('job j1 finished in 12 ms')).toBe('job j1 finished in 12 ms');
  });
});

describe('metrics', () => {
  it('exposes default process metrics in Prometheus text format', async () => {
    const registry = createMetricsRegistry('test');
    const text = await registry.metrics();
    expect(text).toContain('process_resident_memory_bytes');
    expect(text).toContain('service="test"');
  });
});
