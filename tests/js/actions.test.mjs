// The pure parts of web/src/actions.js: the one origin policy of navigate, links and form submissions
// (checkDestination, allowedOrigins) and the words that ask for confirmation. The DOM parts are tested in
// Chromium (e2e/test_actions.py).
//
//     node --test tests/js/            (from the repository root)

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { CONFIRM_WORDS, allowedOrigins, checkDestination } from '../../web/src/actions.js';

const PAGE = 'http://127.0.0.1:8000/shop/cart.html';

/**
 * The policy's verdict on `url` from a page at `page`: the resolved href, or the issue code.
 * @param {string} url
 * @param {{page?: string, base?: string, allowOrigins?: string[]}} [options]
 */
function verdict(url, { page = PAGE, base, allowOrigins = [] } = {}) {
  const window = /** @type {any} */ ({ location: { href: page } });
  const got = checkDestination(url, { window, base, allowOrigins, subject: 'test:', argument: 'url' });
  return 'href' in got ? got.href : got.issue.code;
}

describe('checkDestination', () => {
  test('same-origin URLs resolve against the page (or the given base)', () => {
    assert.equal(verdict('checkout.html'), 'http://127.0.0.1:8000/shop/checkout.html');
    assert.equal(verdict('/orders?id=2#top'), 'http://127.0.0.1:8000/orders?id=2#top');
    assert.equal(verdict('#reviews'), `${PAGE}#reviews`);
    assert.equal(verdict('', { base: 'http://127.0.0.1:8000/base/' }), 'http://127.0.0.1:8000/base/');
  });

  test('javascript: URLs are never followed, however they are written', () => {
    for (const url of ['javascript:alert(1)', 'JavaScript:alert(1)', ' javascript:alert(1)', 'java\tscript:alert(1)',
      'java\nscript:alert(1)', '\u0000javascript:alert(1)']) {
      assert.equal(verdict(url), 'bad_url', url);
      assert.equal(verdict(url, { allowOrigins: ['http://127.0.0.1:8000'] }), 'bad_url', url);
    }
  });

  test('other schemes and unparseable URLs are refused', () => {
    for (const url of ['data:text/html,<h1>x</h1>', 'ftp://127.0.0.1/x', 'mailto:a@b.c', 'file:///etc/passwd',
      'blob:http://127.0.0.1:8000/abc', 'http://[bad']) {
      assert.equal(verdict(url), 'bad_url', url);
    }
  });

  test('other origins are refused unless allowOrigins lists them', () => {
    for (const url of ['https://example.com/pay', '//example.com/x', 'https://127.0.0.1:8000/', 'http://127.0.0.1:8001/',
      'http://127.0.0.1.example.com/', 'http://user@example.com/']) {
      assert.equal(verdict(url), 'cross_origin', url);
    }
    assert.equal(verdict('https://example.com/pay', { allowOrigins: ['https://example.com'] }), 'https://example.com/pay');
    assert.equal(verdict('https://example.com/pay', { allowOrigins: ['https://example.com/any/path'] }), 'https://example.com/pay');
    assert.equal(verdict('https://example.com/pay', { allowOrigins: ['http://example.com'] }), 'cross_origin');
    assert.equal(verdict('https://evil.example.com/', { allowOrigins: ['https://example.com'] }), 'cross_origin');
  });

  test('a page not served over http(s) opens nothing', () => {
    assert.equal(verdict('other.html', { page: 'file:///home/ann/page.html' }), 'bad_url');
  });

  test('messages name the URL and what to do', () => {
    const window = /** @type {any} */ ({ location: { href: PAGE } });
    const got = checkDestination('https://example.com/x', { window, subject: 'click: ref 3 (link "Pay") leads to "https://example.com/x", which', argument: 'ref' });
    assert.ok('issue' in got);
    assert.equal(got.issue.argument, 'ref');
    assert.match(got.issue.message, /^click: ref 3 \(link "Pay"\) leads to "https:\/\/example.com\/x", which is on https:\/\/example.com, not on this site \(http:\/\/127.0.0.1:8000\): other origins are refused/);
  });
});

describe('allowedOrigins', () => {
  test('normalizes origins and refuses what is not an http(s) origin', () => {
    assert.deepEqual([...allowedOrigins(['https://example.com/', 'https://EXAMPLE.com:443/x', 'http://a.b:8080'])],
      ['https://example.com', 'http://a.b:8080']);
    for (const bad of ['example.com', 'javascript:alert(1)', 'data:text/plain,x', 'file:///x', 42]) {
      assert.throws(() => allowedOrigins([/** @type {any} */ (bad)]), /allowOrigins: .* is not an http\(s\) origin/);
    }
  });
});

describe('CONFIRM_WORDS', () => {
  test('names that delete, pay or send ask; others do not', () => {
    for (const name of ['Delete account', 'Remove item', 'Pay now', 'Buy', 'Purchase gift card', 'Send message',
      'Transfer €200', 'Cancel my subscription', 'cancel subscription', 'DELETE']) {
      assert.ok(CONFIRM_WORDS.test(name), name);
    }
    for (const name of ['Save', 'Payment settings', 'Sender address', 'Deleted items', 'Cancel', 'Buyers guide',
      'Subscription plan', 'Transferable credits']) {
      assert.ok(!CONFIRM_WORDS.test(name), name);
    }
  });
});
