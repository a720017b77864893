import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { CLIENT_CLI_OPTIONS, runClientCommand } from './cli.js';
import { GrantStore } from './grants.js';
import { RevocationList } from './revocations.js';
import { startOAuthTestApp, type OAuthTestApp } from './oauth-test-support.js';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

interface KeyPair {
  privateKey: CryptoKey;
  publicJwk: JWK;
  alg: string;
}

async function keyPair(alg: 'ES384' | 'RS384'): Promise<KeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  return { privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid: randomUUID(), alg }, alg };
}

async function assertion(
  t: OAuthTestApp,
  clientId: string,
  key: KeyPair,
  overrides: { aud?: string; expiresIn?: string; jti?: string; iss?: string } = {},
): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: key.alg, kid: key.publicJwk.kid!, typ: 'JWT' })
    .setIssuer(overrides.iss ?? clientId)
    .setSubject(clientId)
    .setAudience(overrides.aud ?? `${t.url}/oauth/token`)
    .setJti(overrides.jti ?? randomUUID())
    .setExpirationTime(overrides.expiresIn ?? '4m')
    .sign(key.privateKey);
}

async function post(t: OAuthTestApp, path: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${t.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

function clientCredentials(token: string, scope?: string): Record<string, string> {
  return { grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: token, ...(scope ? { scope } : {}) };
}

let t: OAuthTestApp;
before(async () => {
  t = await startOAuthTestApp();
});
after(async () => {
  await t.close();
});

test('discovery documents describe the endpoints, and the JWKS publishes the signing key', async () => {
  for (const path of ['/fhir/R4/.well-known/smart-configuration', '/.well-known/smart-configuration']) {
    const res = await fetch(`${t.url}${path}`);
    assert.equal(res.status, 200, path);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    const smart = (await res.json()) as Record<string, unknown>;
    assert.equal(smart.issuer, t.url);
    assert.equal(smart.authorization_endpoint, `${t.url}/oauth/authorize`);
    assert.equal(smart.token_endpoint, `${t.url}/oauth/token`);
    assert.deepEqual(smart.code_challenge_methods_supported, ['S256']);
    assert.ok((smart.capabilities as string[]).includes('launch-standalone'));
    assert.ok((smart.capabilities as string[]).includes('client-confidential-asymmetric'));
    assert.ok((smart.token_endpoint_auth_signing_alg_values_supported as string[]).includes('RS384'));
    assert.ok((smart.grant_types_supported as string[]).includes('client_credentials'));
  }
  const oidc = (await (await fetch(`${t.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
  assert.equal(oidc.issuer, t.url);
  assert.equal(oidc.userinfo_endpoint, `${t.url}/oauth/userinfo`);
  assert.deepEqual(oidc.id_token_signing_alg_values_supported, ['ES256']);
  const jwks = (await (await fetch(oidc.jwks_uri as string)).json()) as { keys: JWK[] };
  assert.equal(jwks.keys.length, 1);
  assert.equal(jwks.keys[0]!.alg, 'ES256');
  assert.equal(jwks.keys[0]!.d, undefined, 'no private part is published');
  const stored = await t.salus.db.query<{ private_key: string }>('SELECT private_key FROM oauth_signing_keys');
  assert.ok(stored.rows[0]!.private_key.startsWith('enc:'), 'the private key is sealed at rest');
});

test('client_credentials with a private_key_jwt assertion; replayed, foreign-key, long-lived and misaddressed assertions are refused', async () => {
  const eventsBefore = t.events.length;
  const key = await keyPair('ES384');
  const { client } = await t.oauth.clients.create({ name: 'Lab results feed', scope: 'system/Observation.cruds system/Patient.rs', jwks: { keys: [key.publicJwk] } });
  assert.deepEqual(client.grantTypes, ['client_credentials']);
  assert.equal(client.tokenEndpointAuthMethod, 'private_key_jwt');

  const signed = await assertion(t, client.id, key);
  const ok = await post(t, '/oauth/token', clientCredentials(signed, 'system/Patient.rs system/Observation.rs system/Condition.rs'));
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal(ok.body.token_type, 'Bearer');
  assert.equal(ok.body.expires_in, 300);
  assert.equal(ok.body.scope, 'system/Patient.rs system/Observation.rs');
  assert.equal(ok.body.refresh_token, undefined);
  const claims = await t.oauth.verifyAccessToken(ok.body.access_token as string);
  assert.equal(claims.sub, client.id);
  assert.equal(claims.client_id, client.id);
  assert.equal(claims.aud, t.fhirBase);
  assert.equal(claims.accountId, undefined);
  assert.deepEqual(claims.scopes, ['system/Patient.rs', 'system/Observation.rs']);

  const replay = await post(t, '/oauth/token', clientCredentials(signed));
  assert.equal(replay.status, 401);
  assert.equal(replay.body.error, 'invalid_client');
  assert.match(String(replay.body.error_description), /already used/);

  const stranger = await keyPair('ES384');
  const foreign = await post(t, '/oauth/token', clientCredentials(await assertion(t, client.id, { ...stranger, publicJwk: { ...stranger.publicJwk, kid: key.publicJwk.kid! } })));
  assert.equal(foreign.status, 401);
  assert.equal(foreign.body.error, 'invalid_client');

  const longLived = await post(t, '/oauth/token', clientCredentials(await assertion(t, client.id, key, { expiresIn: '10m' })));
  assert.equal(longLived.status, 401);
  assert.match(String(longLived.body.error_description), /five minutes/);

  const misaddressed = await post(t, '/oauth/token', clientCredentials(await assertion(t, client.id, key, { aud: t.fhirBase })));
  assert.equal(misaddressed.status, 401);

  const expired = await post(t, '/oauth/token', clientCredentials(await assertion(t, client.id, key, { expiresIn: '-2m' })));
  assert.equal(expired.status, 401);

  const wrongScope = await post(t, '/oauth/token', clientCredentials(await assertion(t, client.id, key), 'system/Condition.rs'));
  assert.equal(wrongScope.status, 400);
  assert.equal(wrongScope.body.error, 'invalid_scope');

  const events = t.events.slice(eventsBefore);
  assert.equal(events.filter((e) => e.subtype === 'token' && e.outcome === 'failure').length, 6);
  assert.ok(events.some((e) => e.subtype === 'token' && e.outcome === 'success' && e.agent.clientId === client.id));
});

test('a client whose keys are served at its jwks_uri authenticates with RS384', async () => {
  const key = await keyPair('RS384');
  const keys: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [key.publicJwk] }));
  });
  await new Promise<void>((resolve) => keys.listen(0, '127.0.0.1', resolve));
  try {
    const jwksUri = `http://127.0.0.1:${(keys.address() as { port: number }).port}/jwks.json`;
    const { client } = await t.oauth.clients.create({ name: 'Registry export', scope: 'system/*.rs', jwksUri });
    const ok = await post(t, '/oauth/token', clientCredentials(await assertion(t, client.id, key)));
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.scope, 'system/*.rs');
  } finally {
    await new Promise((resolve) => keys.close(resolve));
  }
});

test('salus client create registers a Backend Services client from a JWKS file, which then gets tokens; client list shows it', async () => {
  const key = await keyPair('ES384');
  const file = join(mkdtempSync(join(tmpdir(), 'salus-jwks-')), 'jwks.json');
  writeFileSync(file, JSON.stringify({ keys: [key.publicJwk] }));
  const out: string[] = [];
  const err: string[] = [];
  const io = { out: { write: (s: string) => out.push(s) }, err: { write: (s: string) => err.push(s) }, publicUrl: t.url };
  const { values, positionals } = parseArgs({
    args: ['client', 'create', '--name', 'Immunization registry', '--scopes', 'system/Patient.rs system/Immunization.rs', '--jwks', file],
    options: CLIENT_CLI_OPTIONS,
    allowPositionals: true,
  });
  assert.equal(await runClientCommand(t.salus.db, positionals.slice(1), values, io), 0, err.join(''));
  const id = /client_id:\s+(\S+)/.exec(out.join(''))![1]!;
  assert.match(out.join(''), /private_key_jwt \(1 key\(s\) inline\)/);
  assert.match(out.join(''), new RegExp(`token URL:\\s+${t.url}/oauth/token`));
  const ok = await post(t, '/oauth/token', clientCredentials(await assertion(t, id, key)));
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal(ok.body.scope, 'system/Patient.rs system/Immunization.rs');
  assert.equal((await t.oauth.clients.get(id))?.createdBy, 'cli');

  out.length = 0;
  assert.equal(await runClientCommand(t.salus.db, ['create'], { name: 'Portal', scopes: 'openid user/*.rs', secret: true, 'redirect-uri': ['https://portal.example/cb'] }, io), 0);
  assert.match(out.join(''), /secret:\s+\S{40,}/);
  assert.match(out.join(''), /client_secret_basic/);

  assert.equal(await runClientCommand(t.salus.db, ['create'], { name: 'No scopes' }, io), 1);
  assert.match(err.join(''), /--scopes/);
  assert.equal(await runClientCommand(t.salus.db, ['create'], { name: 'Bad', scopes: 'system/*.rs', jwks: join(tmpdir(), 'missing-jwks.json') }, io), 1);
  assert.match(err.join(''), /Cannot read/);

  out.length = 0;
  assert.equal(await runClientCommand(t.salus.db, ['list'], {}, io), 0);
  assert.match(out.join(''), /Immunization registry\n  client_id:/);
  assert.match(out.join(''), /Portal/);
});

test('introspection reports live tokens; revoked tokens are inactive and refused, here and on another instance', async () => {
  const key = await keyPair('ES384');
  const { client } = await t.oauth.clients.create({ name: 'Resource server', scope: 'system/*.rs', jwks: { keys: [key.publicJwk] } });
  const auth = async (): Promise<Record<string, string>> => ({ client_assertion_type: ASSERTION_TYPE, client_assertion: await assertion(t, client.id, key) });
  const issued = await post(t, '/oauth/token', clientCredentials(await assertion(t, client.id, key)));
  const token = issued.body.access_token as string;

  const active = await post(t, '/oauth/introspect', { token, ...(await auth()) });
  assert.equal(active.status, 200);
  assert.equal(active.body.active, true);
  assert.equal(active.body.client_id, client.id);
  assert.equal(active.body.scope, 'system/*.rs');
  assert.equal(active.body.aud, t.fhirBase);

  const anonymous = await post(t, '/oauth/introspect', { token });
  assert.equal(anonymous.status, 401);
  const garbage = await post(t, '/oauth/introspect', { token: 'not-a-token', ...(await auth()) });
  assert.deepEqual(garbage.body, { active: false });

  // Another instance on the same database, reading revocations on every check.
  const sibling = t.sibling({ revocationSyncMs: 0 });
  assert.equal((await sibling.verifyAccessToken(token)).sub, client.id);

  const revoked = await post(t, '/oauth/revoke', { token, token_type_hint: 'access_token', ...(await auth()) });
  assert.equal(revoked.status, 200);
  assert.ok(t.events.some((e) => e.subtype === 'token-revoke' && e.agent.clientId === client.id));
  const afterRevoke = await post(t, '/oauth/introspect', { token, ...(await auth()) });
  assert.deepEqual(afterRevoke.body, { active: false });
  await assert.rejects(t.oauth.verifyAccessToken(token), (e: Error & { code?: string }) => e.code === 'invalid_token' && /revoked/.test(e.message));
  await assert.rejects(sibling.verifyAccessToken(token), /revoked/);

  // RFC 7009: an unknown token is still a success.
  assert.equal((await post(t, '/oauth/revoke', { token: 'unknown', ...(await auth()) })).status, 200);
});

test('access tokens are refused when tampered with, signed by another key or expired', async () => {
  const key = await keyPair('ES384');
  const { client } = await t.oauth.clients.create({ name: 'Short-lived', scope: 'system/*.rs', jwks: { keys: [key.publicJwk] } });
  const shortLived = await t.siblingApp({ accessTokenSeconds: 2 });
  const issued = await shortLived.app.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(clientCredentials(await assertion(t, client.id, key))).toString(),
  });
  assert.equal(issued.statusCode, 200, issued.body);
  const token = (JSON.parse(issued.body) as { access_token: string }).access_token;
  // Verified once while live, so the expiry check below also covers remembered tokens.
  assert.equal((await t.oauth.verifyAccessToken(token)).client_id, client.id);
  const [h, p, s] = token.split('.') as [string, string, string];
  const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
  const forged = `${h}.${Buffer.from(JSON.stringify({ ...payload, scope: 'system/*.cruds' })).toString('base64url')}.${s}`;
  await assert.rejects(t.oauth.verifyAccessToken(forged), /malformed or not signed/);
  const self = await keyPair('ES384');
  const selfSigned = await new SignJWT({ ...payload })
    .setProtectedHeader({ alg: 'ES384', kid: self.publicJwk.kid!, typ: 'at+jwt' })
    .sign(self.privateKey);
  await assert.rejects(t.oauth.verifyAccessToken(selfSigned), /malformed or not signed/);
  await new Promise((resolve) => setTimeout(resolve, 3100));
  await assert.rejects(t.oauth.verifyAccessToken(token), /expired/);
});

test('the sweep deletes what has expired and keeps what may still be needed', async () => {
  const db = t.salus.db;
  await db.query(`INSERT INTO oauth_assertion_jtis (client_id, jti, expires_at) VALUES ('c', 'old', now() - interval '1 minute'), ('c', 'live', now() + interval '1 minute')`);
  await db.query(`INSERT INTO oauth_revocations (id, kind, expires_at) VALUES ('gone', 'token', now() - interval '1 minute'), ('kept', 'token', now() + interval '1 minute')`);
  await new GrantStore(db, new RevocationList(db, 0), { codeSeconds: 60, accessTokenSeconds: 600, refreshTokenSeconds: 3600 }).sweep();
  const jtis = await db.query<{ jti: string }>("SELECT jti FROM oauth_assertion_jtis WHERE client_id = 'c'");
  assert.deepEqual(jtis.rows.map((r) => r.jti), ['live']);
  const revoked = await db.query<{ id: string }>("SELECT id FROM oauth_revocations WHERE id IN ('gone', 'kept')");
  assert.deepEqual(revoked.rows.map((r) => r.id), ['kept']);
});

test('key rotation: a new key signs once the newest is old, the previous one still verifies, and JWKS lists both until it retires', async () => {
  const key = await keyPair('ES384');
  const { client } = await t.oauth.clients.create({ name: 'Rotation', scope: 'system/*.rs', jwks: { keys: [key.publicJwk] } });
  const issue = async (app: FastifyInstance): Promise<string> => {
    const res = await app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(clientCredentials(await assertion(t, client.id, key))).toString(),
    });
    assert.equal(res.statusCode, 200, res.body);
    return (JSON.parse(res.body) as { access_token: string }).access_token;
  };
  const kid = (token: string): string => (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;
  const first = await issue(t.salus.app);

  // The first key reaches its rotation age; another instance, starting now, signs next.
  await t.salus.db.query("UPDATE oauth_signing_keys SET created_at = now() - interval '31 days'");
  const other = await t.siblingApp();
  const second = await issue(other.app);
  assert.notEqual(kid(second), kid(first));
  for (const server of [t.oauth, other.oauth]) {
    assert.equal((await server.verifyAccessToken(first)).client_id, client.id);
    assert.equal((await server.verifyAccessToken(second)).client_id, client.id);
  }
  const jwks = (await (await fetch(`${t.url}/oauth/jwks`)).json()) as { keys: JWK[] };
  assert.deepEqual(jwks.keys.map((k) => k.kid).sort(), [kid(first), kid(second)].sort());

  // Once the second key has signed for longer than any token lives, the first is retired.
  await t.salus.db.query('UPDATE oauth_signing_keys SET created_at = created_at - interval \'1 hour\' WHERE kid = $1', [kid(second)]);
  const third = await t.siblingApp();
  await issue(third.app);
  const after = (await (await fetch(`${t.url}/oauth/jwks`)).json()) as { keys: JWK[] };
  assert.deepEqual(after.keys.map((k) => k.kid), [kid(second)]);
});
