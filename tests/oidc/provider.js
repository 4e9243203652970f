// A real OpenID Connect provider for the federation tests: oidc-provider (OpenID Certified), configured from a
// JSON file the test writes.
//
//   node provider.js CONFIG.json [--rotate]
//
// CONFIG: { "issuer", "port", "keysFile", "resources": { indicator: { audience, ttl, alg } },
//           "clients": [{ client_id, client_secret, redirect_uris, claims }], "accounts": { id: claims } }
//
// Keys: an RSA (RS256) and a P-256 (ES256) key are made on the first start and kept in keysFile, so a restart
// serves the same ones; --rotate puts a new RSA key first (it signs RS256 from then on) and keeps the old ones
// published. Tokens are JWT access tokens (RFC 9068) for the resource the client asks for; a client's `claims`
// go into its client-credentials tokens, an account's into its people's tokens.
//
// People sign in through the development login (devInteractions: any account name, any password), and their ID
// tokens carry their account's claims (`conformIdTokenClaims: false`), as Entra ID's carry `preferred_username`,
// `name` and `groups`: what a relying party maps.
//
// GET /__stats answers how often the discovery document and the JWKS were fetched, so that a test can count the
// fetches the service made. Prints "listening" when ready.

import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';

import Provider, { errors } from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const rotate = process.argv.includes('--rotate');

function generate(kind, kid) {
  const { privateKey } = kind === 'RSA'
    ? generateKeyPairSync('rsa', { modulusLength: 2048 })
    : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { ...privateKey.export({ format: 'jwk' }), kid, use: 'sig', alg: kind === 'RSA' ? 'RS256' : 'ES256' };
}

let keys = existsSync(config.keysFile)
  ? JSON.parse(readFileSync(config.keysFile, 'utf8'))
  : [generate('RSA', 'rsa-1'), generate('EC', 'ec-1')];
if (rotate) {
  const rsa = keys.filter((k) => k.kty === 'RSA').length;
  keys = [generate('RSA', `rsa-${rsa + 1}`), ...keys];
}
writeFileSync(config.keysFile, JSON.stringify(keys));

const clients = Object.fromEntries(config.clients.map((c) => [c.client_id, c]));
const accounts = config.accounts ?? {};
const accountClaims = [...new Set(Object.values(accounts).flatMap((claims) => Object.keys(claims)))];

const provider = new Provider(config.issuer, {
  clients: config.clients.map((c) => ({
    client_id: c.client_id,
    client_secret: c.client_secret,
    grant_types: ['client_credentials', 'authorization_code'],
    response_types: ['code'],
    redirect_uris: c.redirect_uris ?? ['http://127.0.0.1/callback'],
    token_endpoint_auth_method: 'client_secret_post',
  })),
  jwks: { keys },
  cookies: { keys: ['mscommerce-tests'] },
  claims: { openid: ['sub', ...accountClaims], profile: [], email: [] },
  conformIdTokenClaims: false,
  features: {
    clientCredentials: { enabled: true },
    devInteractions: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => undefined,
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx, indicator) => {
        const resource = config.resources[indicator];
        if (!resource) throw new errors.InvalidTarget();
        return {
          scope: 'api',
          audience: resource.audience,
          accessTokenTTL: resource.ttl ?? 3600,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: resource.alg ?? 'RS256' } },
        };
      },
    },
  },
  findAccount: async (ctx, id) => ({
    accountId: id,
    claims: async () => ({ sub: id, ...(accounts[id] ?? {}) }),
  }),
  extraTokenClaims: async (ctx, token) => (token.accountId
    ? accounts[token.accountId] ?? {}
    : clients[token.clientId]?.claims ?? {}),
  // Every scope a client asks for is granted, so that the sign-in is the login alone.
  loadExistingGrant: async (ctx) => {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid profile email');
    for (const indicator of Object.keys(config.resources)) grant.addResourceScope(indicator, 'api');
    await grant.save();
    return grant;
  },
});

const counts = { discovery: 0, jwks: 0 };
const callback = provider.callback();
http.createServer((req, res) => {
  const path = req.url.split('?')[0];
  if (path === '/__stats') {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(counts));
    return;
  }
  if (path === '/.well-known/openid-configuration') counts.discovery += 1;
  if (path === '/jwks') counts.jwks += 1;
  callback(req, res);
}).listen(config.port, '127.0.0.1', () => {
  console.log('listening');
});
