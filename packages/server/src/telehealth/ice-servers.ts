import { createHmac } from 'node:crypto';

/**
 * The STUN and TURN servers browsers use to connect a call. TURN credentials are made the way
 * coturn's `use-auth-secret` (the "TURN REST API") checks them, so Salus and the TURN server
 * share one secret and no per-user accounts: the username is `<unix expiry>:<account id>`, the
 * password base64(HMAC-SHA1(secret, username)). A leaked pair stops working when it expires.
 */

export interface IceConfig {
  stunUrls: string[];
  turnUrls: string[];
  turnSecret?: string;
  /** Lifetime of TURN credentials, seconds. */
  turnTtl: number;
}

/** One entry of RTCConfiguration.iceServers. */
export interface IceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

const DEFAULT_TTL = 3600;

function urlList(value: string | undefined, name: string, schemes: RegExp): string[] {
  const urls = (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const u of urls) if (!schemes.test(u)) throw new Error(`${name}: '${u}' is not a ${schemes.source.includes('turn') ? 'turn: or turns:' : 'stun: or stuns:'} URL`);
  return urls;
}

/** SALUS_STUN_URLS, SALUS_TURN_URLS (comma-separated), SALUS_TURN_SECRET and SALUS_TURN_TTL (seconds). */
export function iceConfigFromEnv(env: NodeJS.ProcessEnv): IceConfig {
  const config: IceConfig = {
    stunUrls: urlList(env.SALUS_STUN_URLS, 'SALUS_STUN_URLS', /^stuns?:/),
    turnUrls: urlList(env.SALUS_TURN_URLS, 'SALUS_TURN_URLS', /^turns?:/),
    turnTtl: DEFAULT_TTL,
  };
  if (env.SALUS_TURN_TTL !== undefined && env.SALUS_TURN_TTL !== '') {
    const ttl = Number(env.SALUS_TURN_TTL);
    if (!Number.isInteger(ttl) || ttl < 60 || ttl > 86_400 * 7) throw new Error('SALUS_TURN_TTL must be a whole number of seconds from 60 to 604800');
    config.turnTtl = ttl;
  }
  if (env.SALUS_TURN_SECRET) config.turnSecret = env.SALUS_TURN_SECRET;
  if (config.turnUrls.length > 0 && !config.turnSecret) throw new Error('SALUS_TURN_URLS needs SALUS_TURN_SECRET, the static-auth-secret of the TURN server');
  return config;
}

/** coturn `use-auth-secret` credentials for `account`, valid until `expires` (unix seconds). */
export function turnCredentials(secret: string, account: string, expires: number): { username: string; credential: string } {
  const username = `${expires}:${account}`;
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64') };
}

/** The iceServers for one signed-in account now. */
export function iceServersFor(config: IceConfig, account: string, now: Date): { iceServers: IceServer[]; expiresAt?: string } {
  const iceServers: IceServer[] = [];
  if (config.stunUrls.length > 0) iceServers.push({ urls: config.stunUrls });
  if (config.turnUrls.length === 0 || !config.turnSecret) return { iceServers };
  const expires = Math.floor(now.getTime() / 1000) + config.turnTtl;
  iceServers.push({ urls: config.turnUrls, ...turnCredentials(config.turnSecret, account, expires) });
  return { iceServers, expiresAt: new Date(expires * 1000).toISOString() };
}
