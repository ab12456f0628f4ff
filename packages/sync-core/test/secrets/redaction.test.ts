/** Secrets registered by anyone, and secret-looking material nobody registered, never survive redaction. */
import { afterEach, describe, expect, it } from 'vitest';
import { redactSecrets, registerSecret, registerSecretValues } from '@syncacross/sync-core';
import { clearRegisteredSecrets } from '@syncacross/sync-core/testing';

afterEach(() => clearRegisteredSecrets());

describe('registered secrets', () => {
  it('masks a registered value, its URL-encoded and its JSON-escaped forms', () => {
    registerSecret('SECRET/CANARY+"42"');
    const text = `a SECRET/CANARY+"42" b ${encodeURIComponent('SECRET/CANARY+"42"')} c ${JSON.stringify({ v: 'SECRET/CANARY+"42"' })}`;
    const out = redactSecrets(text);
    expect(out).not.toContain('CANARY');
  });

  it('is shared by every copy of sync-core in the process (it lives on globalThis)', () => {
    registerSecret('SECRET-CANARY-shared-42');
    const holder = (globalThis as Record<symbol, Set<string>>)[Symbol.for('syncacross.secrets.v1')];
    expect(holder?.has('SECRET-CANARY-shared-42')).toBe(true);
  });

  it('registers every string inside an object (header values)', () => {
    registerSecretValues({ 'X-Token': 'SECRET-CANARY-header-42', nested: ['SECRET-CANARY-deep-42'] });
    expect(redactSecrets('SECRET-CANARY-header-42 SECRET-CANARY-deep-42')).toBe('*** ***');
  });

  it('ignores absent and very short values', () => {
    registerSecret(undefined);
    registerSecret('ab');
    expect(redactSecrets('abc')).toBe('abc');
  });
});

describe('secret-looking material nobody registered', () => {
  const cases: Array<[string, string]> = [
    ['request to http://127.0.0.1:9/oauth2/token?grant_type=refresh_token&refresh_token=R-123456&client_id=k failed', 'R-123456'],
    ['body: grant_type=refresh_token&refresh_token=R-234567&client_secret=S-345678', 'S-345678'],
    ['{"access_token":"A-456789","token_type":"bearer"}', 'A-456789'],
    ['message: "{\\"refresh_token\\":\\"R-567890\\"}"', 'R-567890'],
    ["{ client_secret: 'S-678901', clientId: 'x' }", 'S-678901'],
    ['headers: { Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.abc.def }', 'eyJhbGciOiJIUzI1NiJ9'],
    ['Authorization: Basic YWxpY2U6cGFzc3dvcmQ=', 'YWxpY2U6cGFzc3dvcmQ'],
    ['AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0123456789abcdef', '0123456789abcdef'],
    ['https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIA%2F1&X-Amz-Signature=feedface99&X-Amz-Security-Token=T-789012', 'T-789012'],
    ['https://alice:hunter2-pass@dav.example.com/x', 'hunter2-pass'],
    ['https://www.googleapis.com/drive/v3/files?key=AIzaSyEXAMPLE', 'AIzaSyEXAMPLE'],
    ['x-amz-security-token: FQoGZXIvYXdzEXAMPLE', 'FQoGZXIvYXdzEXAMPLE'],
  ];
  it.each(cases)('%s', (text, secret) => {
    expect(redactSecrets(text)).not.toContain(secret);
  });

  it('leaves ordinary messages and ${env:…} references alone', () => {
    const plain = [
      'remote unreachable: dropbox: no authorization: give accessToken, or refreshToken and appKey, or run `syncacross auth dropbox`',
      "option password is a secret: pass -o password='${env:YOUR_VARIABLE}'",
      '{"ok":true,"options":{"password":"${env:DAV_PASSWORD}"},"code":"Unavailable","exitCode":3}',
      'grant_type=refresh_token',
      'list log/w1/00000007-ab12: HTTP 503',
      'https://www.dropbox.com/oauth2/authorize?response_type=code&client_id=k&token_access_type=offline&code_challenge=abc&code_challenge_method=S256',
      '{"token_type":"bearer","expires_in":14400}',
    ];
    for (const p of plain) expect(redactSecrets(p)).toBe(p);
  });
});
