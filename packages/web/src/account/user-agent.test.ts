import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { describeUserAgent } from './user-agent.js';

describe('describeUserAgent', () => {
  test('names the browser and the system of common browsers, not the engines they claim to be', () => {
    const cases: [string, string][] = [
      ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.0.0 Safari/537.36', 'Chrome on Windows'],
      ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.0.0 Safari/537.36 Edg/128.0.0.0', 'Edge on Windows'],
      ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1', 'Safari on iPhone'],
      ['Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:129.0) Gecko/20100101 Firefox/129.0', 'Firefox on macOS'],
      ['Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36', 'Samsung Internet on Android'],
      ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/128.0.0.0 Safari/537.36', 'Chrome on Linux'],
    ];
    for (const [ua, words] of cases) assert.equal(describeUserAgent(ua), words, ua);
  });

  test('a program that is no browser shows its own name, shortened', () => {
    assert.equal(describeUserAgent('curl/8.5.0'), 'curl/8.5.0');
    assert.equal(describeUserAgent(`salus-sync/1.0 ${'x'.repeat(80)}`).length, 58);
    assert.equal(describeUserAgent(undefined), 'Unknown device');
    assert.equal(describeUserAgent('  '), 'Unknown device');
  });
});
