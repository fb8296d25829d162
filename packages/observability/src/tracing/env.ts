import { z } from 'zod';

// The standard OpenTelemetry variables (opentelemetry.io/docs/specs/otel/configuration/sdk-environment-
// variables): validated here so a typo fails at start with the variable's name, documented with the apps'
// other variables. The OTLP exporter reads its endpoint, headers, timeout and compression itself.

export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json'] as const;
export const TRACE_SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;

const protocol = z.enum(OTLP_PROTOCOLS, {
  error: `must be ${OTLP_PROTOCOLS.join(' or ')} (grpc is not supported here)`,
});
const url = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

export const tracingEnv = z.object({
  OTEL_EXPORTER_OTLP_ENDPOINT: url
    .optional()
    .describe(
      'OTLP/HTTP collector base URL (spans go to `<url>/v1/traces`); tracing is on only with an endpoint',
    )
    .meta({ defaultText: 'unset: tracing off (no spans, no exporter)' }),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: url
    .optional()
    .describe('Full OTLP/HTTP traces URL; wins over `OTEL_EXPORTER_OTLP_ENDPOINT`'),
  OTEL_EXPORTER_OTLP_PROTOCOL: protocol
    .default('http/protobuf')
    .describe('OTLP encoding: `http/protobuf` or `http/json`'),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: protocol
    .optional()
    .describe('OTLP encoding of traces; wins over `OTEL_EXPORTER_OTLP_PROTOCOL`'),
  OTEL_EXPORTER_OTLP_HEADERS: z
    .string()
    .optional()
    .describe('Headers of every OTLP export (`name=value,...`), e.g. a tracing vendor’s API key')
    .meta({ secret: true }),
  OTEL_TRACES_EXPORTER: z
    .enum(['otlp', 'none'], { error: 'must be otlp or none' })
    .default('otlp')
    .describe('`none` turns tracing off even with an endpoint'),
  OTEL_SERVICE_NAME: z
    .string()
    .trim()
    .min(1)
    .optional()
    .describe('`service.name` of this process’s spans')
    .meta({ defaultText: '`photomaker-api`, `photomaker-worker`, …' }),
  OTEL_RESOURCE_ATTRIBUTES: z
    .string()
    .optional()
    .describe(
      'Extra resource attributes of every span (`key=value,...`, e.g. `deployment.environment=prod`)',
    ),
  OTEL_TRACES_SAMPLER: z
    .enum(TRACE_SAMPLERS, { error: `must be one of: ${TRACE_SAMPLERS.join(', ')}` })
    .default('parentbased_always_on')
    .describe('Which traces are kept'),
  OTEL_TRACES_SAMPLER_ARG: z.coerce
    .number({ error: 'must be a number from 0 to 1' })
    .min(0, { error: 'must be a number from 0 to 1' })
    .max(1, { error: 'must be a number from 0 to 1' })
    .optional()
    .describe('The ratio of the `traceidratio` samplers')
    .meta({ defaultText: '1' }),
  OTEL_BSP_SCHEDULE_DELAY: z.coerce
    .number({ error: 'must be a number of milliseconds' })
    .int({ error: 'must be a whole number of milliseconds' })
    .min(0, { error: 'must not be negative' })
    .default(5000)
    .describe('Milliseconds between two exports of finished spans'),
  OTEL_SDK_DISABLED: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .default('false')
    .describe('`true` turns tracing off'),
});

export type TracingEnv = z.output<typeof tracingEnv>;

/** Where spans go, or undefined: tracing is off (no endpoint, `OTEL_TRACES_EXPORTER=none`, disabled). */
export function tracesEndpoint(env: TracingEnv): string | undefined {
  if (env.OTEL_SDK_DISABLED === 'true' || env.OTEL_TRACES_EXPORTER === 'none') return undefined;
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT) return undefined;
  return `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`;
}
