// A real OpenID Provider for the tests: the npm package oidc-provider, run by Node on a
// free loopback port (yearend/testing/oidc.py starts it). Never for production.
//
// OIDC_TEST_CONFIG (JSON) says who exists:
//   {"clients": [{"client_id": "...", "client_secret": "...", "redirect_uris": ["..."],
//                 "id_token": {"aud": "someone-else"} | {"expired": true}}],
//    "accounts": {"<login>": {"email": "...", "email_verified": true, "name": "...",
//                             "sourced_id": "..."}}}
// A client's optional "id_token" makes the provider hand out ID tokens that a relying
// party must refuse (another audience, or already expired), properly signed with the
// provider's own key: the tests prove that the refusal is ours, not a bad signature's.
//
// Prints "listening <issuer>" once ready; stops on SIGTERM, or when its stdin closes
// (the test process that started it is gone).
import http from 'node:http';

import { SignJWT, decodeJwt, exportJWK, generateKeyPair } from 'jose';
import { Provider } from 'oidc-provider';

const config = JSON.parse(process.env.OIDC_TEST_CONFIG || '{}');
const accounts = config.accounts || {};
const clients = config.clients || [];
const tampered = new Map(clients.filter((c) => c.id_token).map((c) => [c.client_id, c.id_token]));

const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const signingKey = { ...(await exportJWK(privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };

// Listen first: the issuer names the port the system picked.
const server = http.createServer();
await new Promise((resolve) => { server.listen(0, '127.0.0.1', resolve); });
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: clients.map(({ id_token: _ignored, ...client }) => ({
    grant_types: ['authorization_code'],
    response_types: ['code'],
    ...client,
  })),
  jwks: { keys: [signingKey] },
  async findAccount(_ctx, id) {
    const account = accounts[id];
    if (!account) return undefined;
    return { accountId: id, claims: () => ({ sub: id, ...account }) };
  },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'sourced_id'],
  },
  // First-party clients: sign-in, no consent screen (the documented recipe).
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
  features: { devInteractions: { enabled: true } },
});

provider.use(async (ctx, next) => {
  await next();
  const change = ctx.oidc?.route === 'token' && tampered.get(ctx.oidc.client?.clientId);
  if (!change || ctx.status !== 200 || !ctx.body?.id_token) return;
  const claims = decodeJwt(ctx.body.id_token);
  if (change.aud) claims.aud = change.aud;
  if (change.expired) {
    claims.iat -= 7200;
    claims.exp = claims.iat + 3600;
  }
  ctx.body.id_token = await new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: signingKey.kid })
    .sign(privateKey);
});

server.on('request', provider.callback());
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
console.log(`listening ${issuer}`);
