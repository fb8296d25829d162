import { existsSync } from 'node:fs';
import { z } from 'zod';
import { TASK_QUEUE } from './contract.ts';

// Node-only entry (`@photomaker/temporal/env`): zod stays out of the workflow-safe root entry.

const hostPort = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9.-]+:[0-9]{1,5}$|^\[[0-9a-fA-F:]+\]:[0-9]{1,5}$/, {
    error: 'must be host:port, e.g. temporal.example.com:7233',
  });

const existingFile = z
  .string()
  .trim()
  .min(1, { error: 'must not be empty' })
  .refine((path) => existsSync(path), { error: 'must name an existing file' });

const pem = z
  .string()
  .refine((text) => text.includes('-----BEGIN '), { error: 'must be PEM text (-----BEGIN ...)' });

/**
 * Where a Temporal client or worker connects, with the variables (and `temporal.toml` profiles) of
 * Temporal's own environment configuration, as the Temporal CLI reads them; `connection/` resolves them.
 */
export const temporalEnv = z.object({
  TEMPORAL_ADDRESS: hostPort
    .optional()
    .describe('Temporal frontend (`host:port`)')
    .meta({ defaultText: '`127.0.0.1:7233`, or the profile’s' }),
  TEMPORAL_NAMESPACE: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9._-]{1,255}$/, { error: 'must be a Temporal namespace name' })
    .optional()
    .describe('Temporal namespace')
    .meta({ defaultText: '`default`, or the profile’s' }),
  TEMPORAL_API_KEY: z
    .string()
    .trim()
    .min(1, { error: 'must not be empty' })
    .optional()
    .describe('API key (Temporal Cloud), sent as `authorization: Bearer`; turns TLS on')
    .meta({ secret: true, defaultText: 'unset' }),
  TEMPORAL_TLS: z
    .enum(['true', 'false', '1', '0'], { error: 'must be true, false, 1 or 0' })
    .optional()
    .describe('TLS to the frontend (system CAs); implied by an API key or any `TEMPORAL_TLS_*` setting')
    .meta({ defaultText: 'off, unless implied' }),
  TEMPORAL_TLS_CLIENT_CERT_PATH: existingFile
    .optional()
    .describe('Client certificate (PEM) for mTLS; needs `TEMPORAL_TLS_CLIENT_KEY_PATH`'),
  TEMPORAL_TLS_CLIENT_KEY_PATH: existingFile
    .optional()
    .describe('Private key (PEM) of the client certificate'),
  TEMPORAL_TLS_CLIENT_CERT_DATA: pem
    .optional()
    .describe('Client certificate as PEM text (instead of a path)'),
  TEMPORAL_TLS_CLIENT_KEY_DATA: pem
    .optional()
    .describe('Client private key as PEM text (instead of a path)')
    .meta({ secret: true }),
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: existingFile
    .optional()
    .describe('CA certificate (PEM) that signed the server’s certificate')
    .meta({ defaultText: 'the system CAs' }),
  TEMPORAL_TLS_SERVER_CA_CERT_DATA: pem.optional().describe('Server CA certificate as PEM text'),
  TEMPORAL_TLS_SERVER_NAME: z
    .string()
    .trim()
    .min(1, { error: 'must not be empty' })
    .optional()
    .describe('Name the server’s certificate is checked against (SNI)')
    .meta({ defaultText: 'the host of the address' }),
  TEMPORAL_PROFILE: z
    .string()
    .trim()
    .min(1, { error: 'must not be empty' })
    .optional()
    .describe('Profile of `temporal.toml` to connect with; the variables above override it')
    .meta({ defaultText: 'unset: no config file is read' }),
  TEMPORAL_CONFIG_FILE: existingFile
    .optional()
    .describe('The `temporal.toml` the profile is read from (profile `default` when no `TEMPORAL_PROFILE`)')
    .meta({ defaultText: '`~/.config/temporalio/temporal.toml`' }),
});

/** The task queue the worker polls and the API starts jobs on (one deployment: the same on both). */
export const taskQueueEnv = z.object({
  TEMPORAL_TASK_QUEUE: z
    .string()
    .trim()
    .min(1, { error: 'must not be empty' })
    .default(TASK_QUEUE)
    .describe('Temporal task queue the worker polls and the API starts jobs on'),
});
