import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Payload, PayloadCodec } from '@temporalio/common';
import {
  type AllowedOrigins,
  type CodecRoute,
  codecRoute,
  originAllowed,
  tokenAccepted,
} from './codec-access.ts';

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
   * Default: none (requests with an Origin header are refused; the CLI sends none).
   */
  allowedOrigins?: AllowedOrigins;
  /**
   * The token every request must carry, as `<prefix>/<token>/<action>` or `Authorization: Bearer`
   * (codec-access.ts). Unset: the endpoint is off (403 naming how to turn it on).
   */
  token: string | undefined;
  /** How to turn the endpoint on, in the 403 while `token` is unset. */
  offHint?: string;
  /** Largest request body accepted. Default 4 MiB (a gRPC message). */
  maxBodyBytes?: number;
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

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * A node:http handler for `POST <prefix>/decode` and `POST <prefix>/encode` (also under
 * `<prefix>/<token>/`, see codec-access.ts) and their CORS preflight, what the
 * Temporal Web UI's "codec endpoint" setting and `temporal --codec-endpoint` call so operators can read
 * encrypted payloads. Resolves false for other paths so it can sit in front of other routes.
 */
export function createCodecHandler(
  options: CodecHandlerOptions,
): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const prefix = (options.prefix ?? '/codec').replace(/\/$/, '');
  const limit = options.maxBodyBytes ?? 4 * 1024 * 1024;
  return async (req, res) => {
    const route = codecRoute((req.url ?? '/').split('?')[0] ?? '/', prefix);
    if (!route) return false;
    if (!refused(req, res, route, options)) await answer(req, res, route.action, options.codec, limit);
    return true;
  };
}

async function answer(
  req: IncomingMessage,
  res: ServerResponse,
  action: CodecRoute['action'],
  codec: PayloadCodec,
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

/** Answers (and returns true) anything but an authorised POST: off, foreign origin, preflight, method, token. */
function refused(
  req: IncomingMessage,
  res: ServerResponse,
  route: CodecRoute,
  options: CodecHandlerOptions,
): boolean {
  if (options.token === undefined) {
    send(res, 403, {
      error: `the codec endpoint is off: ${options.offHint ?? 'it has no token configured'}`,
    });
    return true;
  }
  const origin = req.headers.origin;
  if (origin !== undefined) {
    if (!originAllowed(options.allowedOrigins, origin)) {
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
  if (tokenAccepted(options.token, route, req.headers.authorization)) return false;
  send(res, 401, { error: 'missing or wrong token for the codec endpoint' });
  return true;
}
