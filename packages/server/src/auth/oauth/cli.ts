import { readFileSync } from 'node:fs';
import type { JWK } from 'jose';
import type { Db } from '../../db/db.js';
import { ClientStore, type ClientInput, type OAuthClient } from './clients.js';
import { OAUTH_PATHS } from './discovery.js';
import { OAuthError } from './errors.js';

/** The options of `salus client …`, in node:util parseArgs form, to merge into the CLI's own. */
export const CLIENT_CLI_OPTIONS = {
  name: { type: 'string' },
  scopes: { type: 'string' },
  jwks: { type: 'string' },
  'jwks-uri': { type: 'string' },
  'redirect-uri': { type: 'string', multiple: true },
  origin: { type: 'string', multiple: true },
  secret: { type: 'boolean' },
} as const;

export interface ClientCliValues {
  name?: string | undefined;
  scopes?: string | undefined;
  jwks?: string | undefined;
  'jwks-uri'?: string | undefined;
  'redirect-uri'?: string[] | undefined;
  origin?: string[] | undefined;
  secret?: boolean | undefined;
}

export const CLIENT_CLI_USAGE = `  client create --name <name> --scopes "<scopes>" [--jwks <file> | --jwks-uri <url> | --secret]
                [--redirect-uri <uri>]... [--origin <origin>]...
                     register an OAuth client (SMART app or Backend Services)
  client list        list registered OAuth clients
`;

interface Out {
  write(text: string): unknown;
}

function readJwks(file: string): { keys: JWK[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new OAuthError('invalid_client_metadata', `Cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    return JSON.parse(text) as { keys: JWK[] };
  } catch {
    throw new OAuthError('invalid_client_metadata', `${file} is not JSON (expected a JSON Web Key Set: {"keys": [...]})`);
  }
}

function describe(client: OAuthClient): string {
  const keys = client.jwks ? `${client.jwks.keys.length} key(s) inline` : client.jwksUri ? `keys at ${client.jwksUri}` : '';
  return [
    `  client_id:   ${client.id}`,
    `  type:        ${client.type}, ${client.tokenEndpointAuthMethod}${keys ? ` (${keys})` : ''}`,
    `  grants:      ${client.grantTypes.join(', ')}`,
    `  scopes:      ${client.scopes.join(' ')}`,
    ...(client.redirectUris.length ? [`  redirects:   ${client.redirectUris.join(' ')}`] : []),
  ].join('\n');
}

/**
 * `salus client create | list`. A client with --jwks/--jwks-uri authenticates with signed
 * assertions (private_key_jwt, SMART Backend Services when its scopes are system/); --secret
 * makes a confidential app with a generated secret, printed once; otherwise redirect URIs make a
 * public app. Returns the process exit code.
 */
export async function runClientCommand(
  db: Db,
  args: string[],
  values: ClientCliValues,
  io: { out: Out; err: Out; publicUrl: string },
): Promise<number> {
  const { out, err } = io;
  const clients = new ClientStore(db);
  const [sub] = args;
  try {
    if (sub === 'list') {
      const all = await clients.list();
      if (all.length === 0) out.write('No OAuth clients are registered.\n');
      for (const c of all) out.write(`${c.name}\n${describe(c)}\n`);
      return 0;
    }
    if (sub !== 'create') {
      err.write(`Usage:\n${CLIENT_CLI_USAGE}`);
      return 1;
    }
    if (!values.name || !values.scopes) throw new OAuthError('invalid_client_metadata', 'client create needs --name and --scopes');
    const input: ClientInput = { name: values.name, scope: values.scopes, createdBy: 'cli' };
    if (values.jwks) input.jwks = readJwks(values.jwks);
    if (values['jwks-uri']) input.jwksUri = values['jwks-uri'];
    if (values.secret) input.tokenEndpointAuthMethod = 'client_secret_basic';
    if (values['redirect-uri']) input.redirectUris = values['redirect-uri'];
    if (values.origin) input.origins = values.origin;
    const { client, secret } = await clients.create(input);
    out.write(`Registered OAuth client "${client.name}"\n${describe(client)}\n`);
    if (secret) out.write(`  secret:      ${secret}\n  (shown only now: store it safely)\n`);
    out.write(`  token URL:   ${io.publicUrl}${OAUTH_PATHS.token}\n`);
    return 0;
  } catch (e) {
    if (e instanceof OAuthError) {
      err.write(`${e.description}\n`);
      return 1;
    }
    throw e;
  }
}
