import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkAdvertisedUrl,
  defaultAdvertisedUrl,
  MAX_ADVERTISED_URL_LENGTH,
} from '../../../src/domain/advertised-url.js';

const ok = (raw: unknown) => checkAdvertisedUrl(raw);

describe('checkAdvertisedUrl', () => {
  it('accepts http and https URLs, normalized', () => {
    expect(ok('http://controller-1:8080')).toEqual({ ok: true, url: 'http://controller-1:8080' });
    expect(ok('http://controller-1:8080/')).toEqual({ ok: true, url: 'http://controller-1:8080' });
    expect(ok('HTTPS://Ops.Example/ktb/')).toEqual({ ok: true, url: 'https://ops.example/ktb/' });
    expect(ok('http://[::1]:8080')).toEqual({ ok: true, url: 'http://[::1]:8080' });
    // a Unicode host is shown in punycode: no look-alike letters on the page
    expect(ok('http://bücher.example:8080')).toEqual({ ok: true, url: 'http://xn--bcher-kva.example:8080' });
  });

  it.each([
    ['javascript:alert(1)', /http/],
    ['JaVaScRiPt:alert(document.cookie)//http://x', /http/],
    ['data:text/html,<script>alert(1)</script>', /http/],
    ['file:///etc/passwd', /http/],
    ['ftp://host/', /http/],
    ['http:host:8080', /http/],
    ['//host:8080', /http/],
    ['http://user:secret@host:8080', /credentials/],
    ['http://user@host:8080', /credentials/],
    ['http://host:99999', /absolute URL/],
    ['http://', /absolute URL/],
    ['not a url', /whitespace/],
    ['http://host:8080/\u202egnp.exe', /control/],
    ['http://host\u200b.example', /control/],
    ['http://host\n.example', /control/],
    ['', /1\.\.512/],
  ])('refuses %j', (raw, reason) => {
    const r = ok(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  it('refuses what is not a string, and strings over the bound (a 10 KB value)', () => {
    for (const v of [undefined, null, 42, {}, ['http://a'], Buffer.from('http://a')])
      expect(ok(v).ok).toBe(false);
    expect(ok(`http://a.example/${'x'.repeat(10_000)}`)).toMatchObject({ ok: false });
    expect(ok(`http://a.example/${'x'.repeat(MAX_ADVERTISED_URL_LENGTH)}`).ok).toBe(false);
    // percent-encoding can make a short URL long: the bound holds after normalization too
    expect(ok(`http://a.example/${'é'.repeat(200)}`)).toMatchObject({ ok: false, reason: /normalized/ });
  });

  it('never throws, and what it accepts is a short http(s) URL without credentials', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.webUrl(),
          fc.string({ unit: 'binary', maxLength: 600 }),
          fc.webUrl({ withQueryParameters: true, withFragments: true }).map((u) => u.replace('//', '//u:p@')),
        ),
        (raw) => {
          const r = checkAdvertisedUrl(raw);
          if (!r.ok) return;
          const u = new URL(r.url);
          expect(['http:', 'https:']).toContain(u.protocol);
          expect(u.username + u.password).toBe('');
          expect(r.url.length).toBeLessThanOrEqual(MAX_ADVERTISED_URL_LENGTH);
          expect(checkAdvertisedUrl(r.url)).toEqual(r);
        },
      ),
    );
  });
});

describe('defaultAdvertisedUrl', () => {
  it('uses the bind address and the bound port', () => {
    expect(defaultAdvertisedUrl('127.0.0.1', 8080, 'box')).toBe('http://127.0.0.1:8080');
    expect(defaultAdvertisedUrl('ctl-1.internal', 9000, 'box')).toBe('http://ctl-1.internal:9000');
    expect(defaultAdvertisedUrl('::1', 8080, 'box')).toBe('http://[::1]:8080');
  });

  it('replaces a wildcard bind address with the host name', () => {
    for (const any of ['0.0.0.0', '::', '[::]'])
      expect(defaultAdvertisedUrl(any, 8080, 'ctl-7')).toBe('http://ctl-7:8080');
  });

  it('is undefined when no valid URL comes out', () => {
    expect(defaultAdvertisedUrl('0.0.0.0', 8080, 'bad host')).toBeUndefined();
  });
});
