import { parseEnv } from '@photomaker/env';
import { describe, expect, it } from 'vitest';
import { tracesEndpoint, tracingEnv } from '../src/index.ts';
import { startTracing } from '../src/tracing/start.ts';

const parsed = (env: Record<string, string>) => tracingEnv.parse(env);

describe('OTEL_* variables', () => {
  it('are off without an endpoint, with OTEL_TRACES_EXPORTER=none and with OTEL_SDK_DISABLED=true', () => {
    expect(tracesEndpoint(parsed({}))).toBeUndefined();
    const on = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' };
    expect(tracesEndpoint(parsed(on))).toBe('http://collector:4318/v1/traces');
    expect(tracesEndpoint(parsed({ ...on, OTEL_TRACES_EXPORTER: 'none' }))).toBeUndefined();
    expect(tracesEndpoint(parsed({ ...on, OTEL_SDK_DISABLED: 'true' }))).toBeUndefined();
    // The signal-specific URL is used as is (the spec's rule), and wins.
    const traces = { ...on, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example/otlp' };
    expect(tracesEndpoint(parsed(traces))).toBe('https://traces.example/otlp');
    expect(startTracing({ service: 'test', env: {} }).enabled).toBe(false);
  });

  it('refuse what this SDK setup cannot do, naming the variable and the rule', () => {
    const result = parseEnv(tracingEnv, {
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_TRACES_EXPORTER: 'zipkin',
      OTEL_TRACES_SAMPLER: 'sometimes',
      OTEL_TRACES_SAMPLER_ARG: '2',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318',
    });
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^OTEL_EXPORTER_OTLP_PROTOCOL: must be http\/protobuf or http\/json/),
        expect.stringMatching(/^OTEL_TRACES_EXPORTER: must be otlp or none/),
        expect.stringMatching(/^OTEL_TRACES_SAMPLER: must be one of: always_on/),
        expect.stringMatching(/^OTEL_TRACES_SAMPLER_ARG: must be a number from 0 to 1/),
        expect.stringMatching(/^OTEL_EXPORTER_OTLP_ENDPOINT: must be an http\(s\) URL/),
      ]),
    );
  });
});
