/** The emulator kit every vendor emulator shares: ports, routing, OAuth grants and fault rules. */
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { closedPort, closedPortUrl, EmulatorsByHost, EmulatorSwitch, FaultRules, freePort, isLoopbackRedirect, OAuthGrants, seededRandom } from '@syncacross/sync-core/emulator-kit';

const answering = (body: string) => ({ handle: async () => new Response(body) });
const text = async (r: Response | Promise<Response>) => (await r).text();

describe('ports', () => {
  it('a closed port refuses connections at once', async () => {
    const port = await closedPort();
    const error = await new Promise<NodeJS.ErrnoException>((resolve) => connect(port, '127.0.0.1').on('error', resolve));
    expect(error.code).toBe('ECONNREFUSED');
    expect(await closedPortUrl()).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('a free port is a valid port number', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    expect(port).toBeLessThan(65536);
  });
});

describe('routing to emulators', () => {
  it('a switch answers with the emulator it was last given, and 502 before it has one', async () => {
    const emulators = new EmulatorSwitch<ReturnType<typeof answering>>();
    expect((await emulators.handle(new Request('https://x.test/'))).status).toBe(502);
    emulators.use(answering('first'));
    expect(await text(emulators.handle(new Request('https://x.test/')))).toBe('first');
    const second = emulators.use(answering('second'));
    expect(emulators.emulator).toBe(second);
    expect(await text(emulators.handle(new Request('https://x.test/')))).toBe('second');
  });

  it('each emulator gets a host of its own; an unknown host is answered 502', async () => {
    const emulators = new EmulatorsByHost('kit.test');
    const a = emulators.add(answering('a'));
    const b = emulators.add(answering('b'));
    expect(a).not.toBe(b);
    expect(a).toMatch(/^https:\/\/[a-z0-9-]+\.kit\.test\/$/);
    expect(await text(emulators.handle(new Request(`${a}files`)))).toBe('a');
    expect(await text(emulators.handle(new Request(`${b}files`)))).toBe('b');
    expect((await emulators.handle(new Request('https://nobody.kit.test/'))).status).toBe(502);
  });
});

describe('OAuth grants', () => {
  const verifier = 'a-verifier-long-enough-for-rfc-7636-0123456789';
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const consent = (grants: OAuthGrants, offline = true) =>
    grants.issueCode({ clientId: 'app', redirectUri: 'http://127.0.0.1:5000/cb', challenge, method: 'S256', scope: 's', offline, extra: undefined });

  it('a code is exchanged once, by its client, from its redirect URI, with the right verifier', () => {
    const grants = new OAuthGrants({ accessTokenSeconds: 60 });
    const request = { clientId: 'app', redirectUri: 'http://127.0.0.1:5000/cb', verifier };
    const code = consent(grants);
    expect(grants.redeemCode(code, request).ok).toBe(true);
    expect(grants.redeemCode(code, request)).toEqual({ ok: false, reason: 'unknown-code' });
    expect(grants.redeemCode(consent(grants), { ...request, clientId: 'other' })).toEqual({ ok: false, reason: 'unknown-code' });
    expect(grants.redeemCode(consent(grants), { ...request, redirectUri: 'http://127.0.0.1:5001/cb' })).toEqual({ ok: false, reason: 'redirect-mismatch' });
    expect(grants.redeemCode(consent(grants), { ...request, verifier: undefined })).toEqual({ ok: false, reason: 'missing-verifier' });
    expect(grants.redeemCode(consent(grants), { ...request, verifier: `${verifier}x` })).toEqual({ ok: false, reason: 'bad-verifier' });
  });

  it('a code expires after ten minutes', () => {
    let now = 0;
    const grants = new OAuthGrants({ accessTokenSeconds: 60, now: () => now });
    const code = consent(grants);
    now = 600_001;
    expect(grants.redeemCode(code, { clientId: 'app', redirectUri: 'http://127.0.0.1:5000/cb', verifier }).ok).toBe(false);
  });

  it('access tokens expire; revoking a grant ends its refresh token and every access token minted from it', () => {
    let now = 0;
    const grants = new OAuthGrants({ accessTokenSeconds: 60, now: () => now });
    const grant = { clientId: 'app', scope: 's', revoked: false };
    const refresh = grants.issueRefreshToken(grant);
    const first = grants.mintAccessToken(grant);
    const unrelated = grants.mintAccessToken({ clientId: 'app', scope: 's', revoked: false });
    expect(grants.isAuthorizedHeader(`Bearer ${first}`)).toBe(true);
    now = 60_000;
    expect(grants.checkAccessToken(first).status).toBe('expired');
    const second = grants.mintAccessToken(grants.refreshGrant(refresh, 'app')!);
    expect(grants.refreshGrant(refresh, 'another-app')).toBeUndefined();
    grants.revokeGrantOf(second);
    expect(grants.refreshGrant(refresh)).toBeUndefined();
    expect(grants.checkAccessToken(second).status).toBe('revoked');
    expect(grants.checkAccessToken(unrelated).status).toBe('expired');
    expect(grants.checkAccessToken('never-issued').status).toBe('unknown');
  });

  it('revoking one client leaves the others working', () => {
    const grants = new OAuthGrants({ accessTokenSeconds: 60 });
    const mine = grants.mintAccessToken({ clientId: 'mine', scope: '', revoked: false });
    const theirs = grants.mintAccessToken({ clientId: 'theirs', scope: '', revoked: false });
    grants.revokeAll('mine');
    expect([grants.checkAccessToken(mine).status, grants.checkAccessToken(theirs).status]).toEqual(['revoked', 'valid']);
  });

  it('native apps may redirect to a loopback address on any port, and nowhere else', () => {
    for (const uri of ['http://127.0.0.1:49152/cb', 'http://localhost/', 'http://[::1]:8080/x']) expect(isLoopbackRedirect(uri), uri).toBe(true);
    for (const uri of ['https://127.0.0.1/cb', 'http://127.0.0.1.evil.test/', 'http://example.com/']) expect(isLoopbackRedirect(uri), uri).toBe(false);
  });
});

describe('fault rules', () => {
  type Rule = { route: string; times?: number; probability?: number };
  const rules = (random?: () => number) => new FaultRules<Rule, string>((rule, route) => rule.route === route, random);

  it('a rule hits the requests it matches, as many times as it says, in the order rules were added', () => {
    const faults = rules();
    const twice = faults.inject({ route: 'upload', times: 2 });
    const once = faults.inject({ route: 'upload' });
    expect([faults.take('list'), faults.take('upload'), faults.take('upload'), faults.take('upload'), faults.take('upload')]).toEqual([undefined, twice.rule, twice.rule, once.rule, undefined]);
    expect([twice.fired, once.fired, faults.pending]).toEqual([2, 1, 0]);
  });

  it('a storm with a probability hits about that share of requests, the same ones for the same seed', () => {
    const hits = (seed: number) => {
      const faults = rules(seededRandom(seed));
      faults.inject({ route: 'upload', times: Infinity, probability: 0.1 });
      return Array.from({ length: 10_000 }, () => faults.take('upload') !== undefined);
    };
    const share = hits(7).filter(Boolean).length / 10_000;
    expect(share).toBeGreaterThan(0.08);
    expect(share).toBeLessThan(0.12);
    expect(hits(7)).toEqual(hits(7));
    expect(hits(8)).not.toEqual(hits(7));
  });
});
