import type { IncomingHttpHeaders } from 'node:http';

/** The host part of a Host header or an Origin, lower-cased, with the port when it has one. */
function hostOf(value: string, withScheme: boolean): URL | undefined {
  try {
    return new URL(withScheme ? value : `http://${value}`);
  } catch {
    return undefined;
  }
}

/** 127.0.0.0/8, ::1 and `localhost`: names a DNS-rebinding page cannot make a browser send. */
function isLoopback(url: URL): boolean {
  return url.hostname === 'localhost' || url.hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(url.hostname);
}

function allowed(url: URL | undefined, publicUrl: URL | undefined): boolean {
  if (!url) return false;
  if (isLoopback(url)) return true;
  return publicUrl !== undefined && url.host === publicUrl.host;
}

/**
 * Whether a request may receive the demo key: its Host (and its Origin, when a browser sent one) must be
 * the configured public URL's host or a loopback one. A page on attacker.example that re-points its DNS
 * name at this server still sends `Host: attacker.example`, so it gets no key.
 */
export function mayReceiveDemoKey(headers: IncomingHttpHeaders, publicUrl: string | undefined): boolean {
  const configured = publicUrl ? hostOf(publicUrl, true) : undefined;
  if (!allowed(headers.host ? hostOf(headers.host, false) : undefined, configured)) return false;
  const origin = headers.origin;
  return origin === undefined || allowed(hostOf(origin, true), configured);
}
