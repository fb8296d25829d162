// Free text that leaves a process (log lines, failures recorded in Temporal history, error messages in
// job events) passes through here: it may quote a caller's URL, a token or a path of this machine.

const DATA_URI = /data:[a-z]+\/[a-z0-9.+-]+;base64,[A-Za-z0-9+/=]{16,}/gi;
const LONG_BASE64 = /[A-Za-z0-9+/]{200,}={0,2}/g;
const BEARER = /(Bearer\s+)[^\s"']+/gi;
/** scheme://[userinfo@]host[:port] then path, query, fragment: only scheme://host[:port] is kept. */
const URL_TEXT = /\b([a-z][a-z0-9+.-]*):\/\/([^\s/?#"'<>`]*)[^\s"'<>`]*/gi;
/** `name=value` pairs whose name says secret, outside URLs (headers, env dumps, connection strings). */
const SECRET_PAIR =
  /\b((?:[a-z_-]*)(?:token|secret|password|passwd|signature|sig|key|credential)s?)=[^\s&"',;]+/gi;
/** Absolute POSIX paths of two segments or more, and Windows drive paths. */
const POSIX_PATH = /(^|[\s("'=:[,])(\/[\w.@+-]+){2,}\/?/g;
const WINDOWS_PATH = /\b[A-Za-z]:\\[^\s"'<>]+/g;
/** A run of 32+ token characters mixing letters and digits: presigned tokens, API keys, HMACs. */
const TOKEN = /(?<![\w-])(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[\w-]{32,}(?![\w-])/g;
const UUIDS = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** Ids built on UUIDs (`photomaker-<uuid>` workflow ids, task UUIDs) stay: they name jobs, not secrets. */
const redactToken = (token: string) => (token.replace(UUIDS, '').length < 32 ? token : '[token]');

function keepHostOnly(_match: string, scheme: string, authority: string): string {
  const host = authority.slice(authority.lastIndexOf('@') + 1);
  return `${scheme}://${host}`;
}

/**
 * Scrubs free text of what must not be stored or shown: inline image data, bearer tokens, every URL's
 * userinfo, path, query and fragment (presigned and webhook URLs carry credentials there), secret-named
 * `name=value` pairs, long token-like strings (UUIDs stay: they name jobs and tasks) and absolute file
 * paths of this machine.
 */
export function scrub(text: string): string {
  return text
    .replace(DATA_URI, '[image data]')
    .replace(LONG_BASE64, '[base64]')
    .replace(BEARER, '$1[redacted]')
    .replace(URL_TEXT, keepHostOnly)
    .replace(SECRET_PAIR, '$1=[redacted]')
    .replace(TOKEN, redactToken)
    .replace(POSIX_PATH, '$1[path]')
    .replace(WINDOWS_PATH, '[path]');
}
