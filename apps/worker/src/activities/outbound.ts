import { SpanKind, withSpan } from '@photomaker/observability';
import { parseRetryAfter } from '@photomaker/runware';
import { UrlGuardError } from '@photomaker/url-guard';
import { ApplicationFailure } from '@temporalio/common';
import { request } from 'undici';
import type { ActivityDeps } from './deps.ts';

export interface OutboundRequest {
  kind: 'webhook' | 'upload';
  url: string;
  method: 'POST' | 'PUT';
  body: string | Uint8Array;
  headers: Record<string, string>;
  signal: AbortSignal;
}

const TIMEOUT_MS = 30_000;

/** The host alone: a URL's path and query may carry credentials (presigned uploads, webhook tokens). */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'invalid';
  }
}

/** Where the URL points, without its query (presigned URLs carry credentials there). */
function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return 'an invalid URL';
  }
}

/**
 * One outbound delivery through the SSRF guard (checked after DNS resolution, connection pinned to the
 * checked address, redirects not followed). 2xx: delivered. 410 Gone and refused URLs: permanent. Other
 * answers and transport failures: retryable, Retry-After honoured.
 */
export function send(deps: ActivityDeps, outbound: OutboundRequest): Promise<number> {
  const attributes = {
    'photomaker.delivery.kind': outbound.kind,
    'http.request.method': outbound.method,
    'server.address': hostOf(outbound.url),
  };
  // One span per attempt, under the activity's (untraced jobs make none): the answer or why none came.
  return withSpan(
    'photomaker-worker',
    `${outbound.kind} ${outbound.method}`,
    { kind: SpanKind.CLIENT, attributes, inTraceOnly: true },
    (span) => sendOnce(deps, outbound, (code) => span.setAttribute('http.response.status_code', code)),
  );
}

async function sendOnce(
  deps: ActivityDeps,
  outbound: OutboundRequest,
  answered: (status: number) => void,
): Promise<number> {
  const { kind, signal } = outbound;
  const where = describeUrl(outbound.url);
  try {
    await deps.urlGuard.check(outbound.url);
  } catch (error) {
    if (!(error instanceof UrlGuardError)) throw error;
    deps.metrics.deliveries.inc({ kind, outcome: 'refused' });
    throw ApplicationFailure.create({
      type: 'urlRefused',
      message: `${kind} target ${where} refused: ${error.message}`,
      nonRetryable: true,
    });
  }
  let status: number;
  let retryAfter: string | string[] | undefined;
  try {
    const response = await request(outbound.url, {
      method: outbound.method,
      dispatcher: deps.deliveries,
      headers: { ...outbound.headers, 'user-agent': 'photomaker-worker' },
      body: outbound.body,
      signal,
      headersTimeout: TIMEOUT_MS,
      bodyTimeout: TIMEOUT_MS,
    });
    status = response.statusCode;
    answered(status);
    retryAfter = response.headers['retry-after'];
    await response.body.dump();
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    deps.metrics.deliveries.inc({ kind, outcome: 'retry' });
    if (error instanceof UrlGuardError) {
      throw ApplicationFailure.create({
        type: 'urlRefused',
        message: `${kind} target ${where} refused: ${error.message}`,
        nonRetryable: true,
      });
    }
    throw ApplicationFailure.create({
      type: 'deliveryFailed',
      message: `${kind} to ${where} failed: ${(error as Error).message}`,
    });
  }
  if (status >= 200 && status < 300) {
    deps.metrics.deliveries.inc({ kind, outcome: 'delivered' });
    return status;
  }
  const permanent = status === 410;
  deps.metrics.deliveries.inc({ kind, outcome: permanent ? 'refused' : 'retry' });
  const retryAfterMs = parseRetryAfter(retryAfter);
  throw ApplicationFailure.create({
    type: permanent ? 'deliveryGone' : 'deliveryFailed',
    message: `${kind} to ${where} answered HTTP ${status}`,
    nonRetryable: permanent,
    details: [{ status }],
    ...(!permanent && (retryAfterMs ?? 0) > 0 ? { nextRetryDelay: retryAfterMs } : {}),
  });
}
