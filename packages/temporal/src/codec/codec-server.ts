import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Payload, PayloadCodec } from '@temporalio/common';

/** The Temporal UI / CLI codec server protocol: proto3 JSON payloads, bytes as base64. */
interface JsonPayload {
  metadata?: Record<string, string> | null;
  data?: string | null;
}

export interface CodecHandlerOptions {
  codec: PayloadCodec;
  /** Path prefix of the two endpoints (`<prefix>/decode`, `<prefix>/encode`). Default `/codec`. */
  prefix?: string;
  /**
   * Browser origins allowed to call (the Temporal UI's): exact origins, `*` for any, or a predicate.
   * Default: loopback origins (http://127.0.0.1:<any port>, http://localhost:<any port>).
   */
  allowedOrigins?: readonly string[] | ((origin: string) => boolean);
  /** When set, requests must carry `Authorization: Bearer <token>` (the UI forwards its own token). */
  token?: string | undefined;
  /** Largest request body accepted. Default 4 MiB (a gRPC message). */
  maxBodyBytes?: number;
}

const LOOPBACK_ORIGIN = /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/;

function originAllowed(options: CodecHandlerOptions, origin: string): boolean {
  const allowed = options.allowedOrigins;
  if (allowed === undefined) return LOOPBACK_ORIGIN.test(origin);
  if (typeof allowed === 'function') return allowed(origin);
  return allowed.includes('*') || allowed.includes(origin);
}

function fromJson(payload: JsonPayload): Payload {
  const metadata: Record<string, Uint8Array> = {};
  for (const [key, value] of Object.entries(payload.metadata ?? {})) {
    metadata[key] = new Uint8Array(Buffer.from(value, 'base64'));
  }
  return { metadata, data: new Uint8Array(Buffer.from(payload.data ?? '', 'base64')) };
}

function toJson(payload: Payload): JsonPayload {
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(payload.metadata ?? {})) {
    if (value) metadata[key] = Buffer.from(value).toString('base64');
  }
  return { metadata, data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64') };
}

class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).byteLength;
    if (size > limit) throw new HttpError(413, `request body exceeds ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parsePayloads(text: string): Payload[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'body must be JSON: {"payloads": [{"metadata": {...}, "data": "<base64>"}]}');
  }
  const payloads = (body as { payloads?: unknown } | null)?.payloads;
  if (!Array.isArray(payloads)) throw new HttpError(400, "'payloads' must be an array");
  return payloads.map((item, index) => {
    if (item === null || typeof item !== 'object')
      throw new HttpError(400, `payloads[${index}] must be an object`);
    return fromJson(item as JsonPayload);
  });
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header ?? '');
  const expected = Buffer.from(`Bearer ${token}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

type CodecAction = 'decode' | 'encode';

function actionOf(req: IncomingMessage, prefix: string): CodecAction | undefined {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  if (path === `${prefix}/decode`) return 'decode';
  if (path === `${prefix}/encode`) return 'encode';
  return undefined;
}

/**
 * Answers what is not a codec call: a refused origin (403), the CORS preflight (204), another method
 * (405), a missing or wrong token (401). Sets the CORS headers of an allowed origin on the way. True when
 * it answered.
 */
function answeredBeforeCodec(
  options: CodecHandlerOptions,
  req: IncomingMessage,
  res: ServerResponse,
): boolean {
  const origin = req.headers.origin;
  if (origin !== undefined) {
    if (!originAllowed(options, origin)) {
      send(res, 403, { error: `origin '${origin}' may not use the codec endpoint` });
      return true;
    }
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('access-control-allow-credentials', 'true');
    res.setHeader('vary', 'Origin');
  }
  if (req.method === 'OPTIONS') {
    res.setHeader('access-control-allow-methods', 'POST, OPTIONS');
    res.setHeader('access-control-allow-headers', 'content-type, x-namespace, authorization');
    res.setHeader('access-control-max-age', '600');
    res.writeHead(204).end();
    return true;
  }
  if (req.method !== 'POST') {
    res.setHeader('allow', 'POST, OPTIONS');
    send(res, 405, { error: `${req.method} not allowed; POST a {"payloads": [...]} body` });
    return true;
  }
  if (options.token !== undefined && !tokenMatches(req.headers.authorization, options.token)) {
    send(res, 401, { error: 'missing or wrong bearer token for the codec endpoint' });
    return true;
  }
  return false;
}

/** Runs the codec over the posted payloads: 200 with the result, 4xx for a bad body, 422 if the codec fails. */
async function runCodec(
  codec: PayloadCodec,
  action: CodecAction,
  req: IncomingMessage,
  res: ServerResponse,
  limit: number,
): Promise<void> {
  try {
    const payloads = parsePayloads(await readBody(req, limit));
    const result = action === 'decode' ? await codec.decode(payloads) : await codec.encode(payloads);
    send(res, 200, { payloads: result.map(toJson) });
  } catch (error) {
    if (error instanceof HttpError) send(res, error.status, { error: error.message });
    else send(res, 422, { error: error instanceof Error ? error.message : 'codec failure' });
  }
}

/**
 * A node:http handler for `POST <prefix>/decode` and `POST <prefix>/encode` (+ CORS preflight), what the
 * Temporal Web UI's "codec endpoint" setting and `temporal --codec-endpoint` call so operators can read
 * encrypted payloads. Resolves false for other paths so it can sit in front of other routes.
 */
export function createCodecHandler(
  options: CodecHandlerOptions,
): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const prefix = (options.prefix ?? '/codec').replace(/\/$/, '');
  const limit = options.maxBodyBytes ?? 4 * 1024 * 1024;
  return async (req, res) => {
    const action = actionOf(req, prefix);
    if (!action) return false;
    if (!answeredBeforeCodec(options, req, res)) await runCodec(options.codec, action, req, res, limit);
    return true;
  };
}
