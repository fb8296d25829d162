import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';

export interface GrpcTlsProxyOptions {
  /** The plaintext gRPC server (`host:port`, e.g. the Temporal dev server) streams are forwarded to. */
  upstream: string;
  serverCert: string;
  serverKey: string;
  /** When set, a client certificate signed by this CA is required (mTLS). */
  clientCa?: string;
  /** When set, every call must carry `authorization: Bearer <apiKey>`; others get UNAUTHENTICATED. */
  apiKey?: string;
  /** gRPC services (e.g. `temporal.api.operatorservice.v1.OperatorService`) answered PERMISSION_DENIED. */
  deniedServices?: string[];
}

export interface RunningGrpcTlsProxy {
  address: string;
  port: number;
  /** Calls forwarded, refused for their API key, and denied for their service. */
  counts: { forwarded: number; refused: number; denied: number };
  stop(): Promise<void>;
}

const { NGHTTP2_FLAG_END_STREAM } = http2.constants;
const GRPC_UNAUTHENTICATED = '16';
const GRPC_PERMISSION_DENIED = '7';

/** A trailers-only gRPC error answer. */
function refuse(stream: http2.ServerHttp2Stream, status: string, message: string): void {
  stream.respond(
    { ':status': 200, 'content-type': 'application/grpc', 'grpc-status': status, 'grpc-message': message },
    { endStream: true },
  );
}

/**
 * A TLS terminator for gRPC (the Temporal dev server has no TLS of its own): a Node http2 secure
 * server that checks the client certificate and/or the API key, then forwards each stream, headers,
 * body and trailers, to the upstream over one plaintext HTTP/2 session.
 */
export async function startGrpcTlsProxy(options: GrpcTlsProxyOptions): Promise<RunningGrpcTlsProxy> {
  const upstream = http2.connect(`http://${options.upstream}`);
  upstream.on('error', () => {});
  const counts = { forwarded: 0, refused: 0, denied: 0 };
  const denied = new Set(options.deniedServices ?? []);
  const server = http2.createSecureServer({
    cert: options.serverCert,
    key: options.serverKey,
    ...(options.clientCa ? { ca: options.clientCa, requestCert: true, rejectUnauthorized: true } : {}),
  });
  server.on('stream', (stream, headers) => {
    stream.on('error', () => {});
    if (options.apiKey !== undefined && headers.authorization !== `Bearer ${options.apiKey}`) {
      counts.refused++;
      refuse(stream, GRPC_UNAUTHENTICATED, 'missing or wrong API key');
      return;
    }
    // `:path` is `/<package.Service>/<Method>`.
    if (denied.has(String(headers[':path']).split('/')[1] ?? '')) {
      counts.denied++;
      refuse(stream, GRPC_PERMISSION_DENIED, 'this key may not call this service');
      return;
    }
    counts.forwarded++;
    forward(upstream, stream, headers);
  });
  server.on('sessionError', () => {});
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    port,
    counts,
    stop: async () => {
      upstream.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function forward(
  upstream: http2.ClientHttp2Session,
  stream: http2.ServerHttp2Stream,
  headers: http2.IncomingHttpHeaders,
): void {
  const request = upstream.request({ ...headers, ':scheme': 'http' }, { endStream: false });
  request.on('error', () => {});
  let trailers: http2.OutgoingHttpHeaders = {};
  request.on('response', (response, flags) => {
    // A trailers-only answer (a gRPC error) ends with its headers: pass it on the same way.
    if (flags & NGHTTP2_FLAG_END_STREAM) stream.respond(response, { endStream: true });
    else stream.respond(response, { waitForTrailers: true });
  });
  request.on('trailers', (received) => {
    trailers = received;
  });
  stream.on('wantTrailers', () => stream.sendTrailers(trailers));
  stream.pipe(request);
  request.pipe(stream);
  stream.on('close', () => request.close());
  request.on('close', () => {
    if (!stream.closed && !stream.headersSent) stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
  });
}
