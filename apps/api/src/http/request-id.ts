import { randomUUID } from 'node:crypto';

const SAFE = /^[A-Za-z0-9._:-]{1,64}$/;

/** A caller's X-Request-Id when it is safe to log, else a fresh one. It also lands in the workflow memo. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && SAFE.test(value) ? value : randomUUID();
}
