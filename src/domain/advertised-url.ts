/**
 * The address a controller advertises for its dashboard and API, so a standby can say where the
 * leader is. Other controllers read it from the election group's metadata in Kafka, which anyone
 * who may join that group can write: it is checked the same way when configured and when read.
 */

/** Longest accepted URL: a host name is at most 253 characters; the rest is a port and a short path. */
export const MAX_ADVERTISED_URL_LENGTH = 512;

export type UrlCheck =
  { readonly ok: true; readonly url: string } | { readonly ok: false; readonly reason: string };

const fail = (reason: string): UrlCheck => ({ ok: false, reason });

// Whitespace, C0/C1 controls, and the Unicode format characters (bidi overrides, zero-width) that
// can make a shown URL read differently from where it leads.
const INVISIBLE =
  /[\u0000-\u0020\u007f-\u00a0\u00ad\u061c\u180e\u2000-\u200f\u2028-\u202f\u205f-\u206f\ufeff]/;

/**
 * An absolute http(s) URL without credentials, at most MAX_ADVERTISED_URL_LENGTH characters,
 * normalized (lower-case scheme and host, punycode, percent-encoded path; no trailing `/` on a bare
 * origin). Anything else is refused with the reason, never thrown.
 */
export function checkAdvertisedUrl(raw: unknown): UrlCheck {
  if (typeof raw !== 'string') return fail('must be a string');
  if (raw.length === 0 || raw.length > MAX_ADVERTISED_URL_LENGTH)
    return fail(`must be 1..${MAX_ADVERTISED_URL_LENGTH} characters (got ${raw.length})`);
  if (INVISIBLE.test(raw)) return fail('must not contain whitespace or control characters');
  if (!/^https?:\/\//i.test(raw)) return fail('must be an http:// or https:// URL');
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return fail('must be an absolute URL such as http://controller-1.example:8080');
  }
  if (u.username !== '' || u.password !== '') return fail('must not carry credentials (user:password@)');
  if (u.hostname === '') return fail('must name a host');
  const url = u.pathname === '/' && u.search === '' && u.hash === '' ? u.origin : u.href;
  if (url.length > MAX_ADVERTISED_URL_LENGTH)
    return fail(`must be at most ${MAX_ADVERTISED_URL_LENGTH} characters once normalized`);
  return { ok: true, url };
}

const WILDCARDS = new Set(['0.0.0.0', '::', '[::]', '0:0:0:0:0:0:0:0']);

/**
 * What a controller advertises when none is configured: http://<bind host>:<bound port>, where a
 * wildcard bind host (every interface) is replaced by the machine's host name, since other hosts
 * cannot reach 0.0.0.0. Undefined when that makes no valid URL (an odd host name).
 */
export function defaultAdvertisedUrl(bindHost: string, port: number, hostname: string): string | undefined {
  const host = WILDCARDS.has(bindHost) ? hostname : bindHost;
  const literal = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const r = checkAdvertisedUrl(`http://${literal}:${port}`);
  return r.ok ? r.url : undefined;
}
