import { classifyRunwareError, stringifyRunwareJson } from '@photomaker/schema';
import WebSocket from 'ws';
import { parseEnvelope, type RunwareEnvelope } from './envelope.ts';
import { apiErrorFrom, transportErrorFrom } from './error-mapping.ts';

export interface SessionSettings {
  url: string;
  apiKey: string;
  authTimeoutMs: number;
  maxPayloadBytes: number;
  /** Resume this session: Runware replays what it could not deliver meanwhile. */
  session: string | undefined;
  signal: AbortSignal;
}

/** Where an authenticated socket's life goes: called synchronously, so no frame is missed. */
export interface SessionHooks {
  /** Authenticated; runs before any later frame is handed to `onFrame`. */
  onOpen(ws: WebSocket, session: string): void;
  onFrame(envelope: RunwareEnvelope): void;
  /** The authenticated socket closed. */
  onDrop(ws: WebSocket): void;
}

/**
 * Opens one WebSocket and authenticates on it (resuming `session` when given). Resolves once
 * authenticated; rejects (and terminates the socket) on refusal, error, close or no answer in time.
 */
export function openSession(settings: SessionSettings, hooks: SessionHooks): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (settings.signal.aborted) return reject(settings.signal.reason);
    const context = { taskType: 'authentication', apiKey: settings.apiKey };
    const ws = new WebSocket(settings.url, {
      handshakeTimeout: settings.authTimeoutMs,
      maxPayload: settings.maxPayloadBytes,
      perMessageDeflate: false,
    });
    let authenticated = false;
    const fail = (error: unknown) => {
      clearTimeout(timer);
      ws.removeAllListeners('message');
      ws.on('error', () => undefined);
      ws.terminate();
      reject(error);
    };
    const timer = setTimeout(
      () =>
        fail(
          transportErrorFrom(new Error('no authentication answer'), {
            ...context,
            code: 'authTimeout',
            category: 'timeout',
          }),
        ),
      settings.authTimeoutMs,
    );
    ws.on('open', () => {
      const auth: Record<string, unknown> = { taskType: 'authentication', apiKey: settings.apiKey };
      if (settings.session) auth.connectionSessionUUID = settings.session;
      ws.send(stringifyRunwareJson([auth]));
    });
    ws.on('message', (raw: WebSocket.RawData) => {
      const envelope = parseFrame(raw);
      if (!envelope) return;
      if (authenticated) return hooks.onFrame(envelope);
      const refused = envelope.errors.find(
        (error) =>
          error.taskType === 'authentication' ||
          classifyRunwareError({ code: error.code }).category === 'auth',
      );
      if (refused) return fail(apiErrorFrom({ status: undefined, errors: envelope.errors }, context));
      const auth = envelope.data.find(
        (item) => item.taskType === 'authentication' && typeof item.connectionSessionUUID === 'string',
      );
      if (!auth) return;
      authenticated = true;
      clearTimeout(timer);
      hooks.onOpen(ws, auth.connectionSessionUUID as string);
      resolve();
      hooks.onFrame({ data: envelope.data.filter((item) => item !== auth), errors: envelope.errors });
    });
    // Always listen for 'error': an unhandled ECONNRESET would otherwise kill the process.
    ws.on('error', (error) => {
      if (!authenticated) fail(transportErrorFrom(error, context));
    });
    ws.on('close', (code) => {
      if (!authenticated) {
        fail(transportErrorFrom(new Error(`socket closed (${code}) before authentication`), context));
        return;
      }
      hooks.onDrop(ws);
    });
  });
}

/** A text or binary frame as an envelope; anything unreadable is ignored. */
function parseFrame(raw: WebSocket.RawData): RunwareEnvelope | undefined {
  try {
    const text = Array.isArray(raw)
      ? Buffer.concat(raw).toString('utf8')
      : Buffer.from(raw as ArrayBuffer).toString('utf8');
    return parseEnvelope(text);
  } catch {
    return undefined;
  }
}
