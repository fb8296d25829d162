/**
 * One JSON serialization per shared result, not per subscriber. graphql-ws stringifies
 * `{id, type, payload}` for every socket; for a result shared by every subscriber of an event
 * (shared-subscribe.ts) its `jsonMessageReplacer` puts a placeholder where the payload goes, and the
 * socket's `send` (ws-backpressure.ts) splices in the payload's text, made once per result. graphql-ws
 * stringifies a message and hands it to `send` in the same synchronous step, so the one pending text
 * belongs to the message being sent.
 */

const sharedResults = new WeakSet<object>();
const texts = new WeakMap<object, string>();
const PLACEHOLDER = '@photomaker/shared-payload@';
const SUFFIX = `"payload":"${PLACEHOLDER}"}`;
let pending: string | undefined;

/** Marks a result that many subscribers receive as the very same object. */
export function markShared<T extends object>(result: T): T {
  sharedResults.add(result);
  return result;
}

/** graphql-ws's jsonMessageReplacer: a shared payload becomes the placeholder (its text made once). */
export function sharedPayloadReplacer(key: string, value: unknown): unknown {
  if (key !== 'payload' || typeof value !== 'object' || value === null || !sharedResults.has(value))
    return value;
  let text = texts.get(value);
  if (text === undefined) {
    text = JSON.stringify(value);
    texts.set(value, text);
  }
  pending = text;
  return PLACEHOLDER;
}

/** The message with the pending payload text in the placeholder's place (a message ends with its payload). */
export function withSharedPayload(data: string): string {
  const text = pending;
  pending = undefined;
  if (text === undefined || !data.endsWith(SUFFIX)) return data;
  return `${data.slice(0, data.length - SUFFIX.length)}"payload":${text}}`;
}
