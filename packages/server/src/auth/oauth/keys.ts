import {
  calculateJwkThumbprint,
  errors,
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTPayload,
  type JWTVerifyOptions,
} from 'jose';
import { isSealed, type ContentCipher } from '../../crypto/cipher.js';
import type { Db } from '../../db/db.js';

export const SIGNING_ALG = 'ES256';
// Any fixed number: instances sharing the database take turns deciding whether to rotate.
const ROTATION_LOCK = 7_351_906;
// Known keys are re-read now and then, so keys another instance created or retired show up here.
const RELOAD_MS = 5 * 60_000;
// A key id that is not in the database is remembered this long, so tokens naming made-up keys
// cost one indexed look-up each, not one per request.
const MISSING_KID_MS = 60_000;
const MISSING_KID_LIMIT = 1_000;
// Tolerance for the clocks of instances and clients when deciding a key can no longer be needed.
const RETIRE_MARGIN_SECONDS = 120;

export interface SigningKeyOptions {
  /** Age after which a new key takes over signing. */
  rotationSeconds: number;
  /** Longest lifetime of anything signed (access and id tokens): how long a retired key stays published. */
  maxTokenSeconds: number;
}

interface KnownKey {
  kid: string;
  publicKey: CryptoKey;
}

interface Signer {
  kid: string;
  privateKey: CryptoKey;
  /** Local clock time (ms) at which this key is due for rotation. */
  dueAt: number;
}

interface KeyRow {
  kid: string;
  private_key: string;
  public_jwk: JWK;
  age: number;
}

const aad = (kid: string): string => `oauth_signing_keys/${kid}`;

/**
 * The token signing keys, kept in the database so every instance signs and verifies with the same
 * ones, and mirrored in memory so verifying a token costs no query. The newest key signs; once it
 * is older than `rotationSeconds` the next signature first creates a new one.
 */
export class SigningKeys {
  private known = new Map<string, KnownKey>();
  private missing = new Map<string, number>();
  private signer: Signer | undefined;
  private loadedAt = 0;
  private loading: Promise<void> | undefined;
  private rotating: Promise<void> | undefined;
  /** The newest key's private half cannot be opened here (its encryption key is gone): replace it. */
  private newestUnusable = false;

  constructor(
    private readonly db: Db,
    private readonly options: SigningKeyOptions,
    /** Seals private keys at rest; without it they are stored as plain JWK text. */
    private readonly cipher?: ContentCipher,
  ) {}

  /** Signs with the newest key, rotating first when it is due. */
  async sign(claims: JWTPayload, typ: string): Promise<string> {
    const signer = await this.currentSigner();
    return new SignJWT(claims).setProtectedHeader({ alg: SIGNING_ALG, kid: signer.kid, typ }).sign(signer.privateKey);
  }

  /** Verifies a token this server signed: signature by a published key, then the claim checks. */
  async verify(token: string, options: JWTVerifyOptions): Promise<JWTPayload> {
    const { payload } = await jwtVerify(
      token,
      async (header) => {
        const key = header.kid ? await this.publicKey(header.kid) : undefined;
        if (!key) throw new errors.JWKSNoMatchingKey();
        return key;
      },
      { ...options, algorithms: [SIGNING_ALG] },
    );
    return payload;
  }

  /** The public key a token names, or undefined for one this server never had or already retired. */
  private async publicKey(kid: string): Promise<CryptoKey | undefined> {
    if (Date.now() - this.loadedAt > RELOAD_MS) await this.reload();
    const known = this.known.get(kid);
    if (known) return known.publicKey;
    // A key another instance made since the last load.
    const missedAt = this.missing.get(kid);
    if (missedAt !== undefined && Date.now() - missedAt < MISSING_KID_MS) return undefined;
    const r = await this.db.query<{ public_jwk: JWK }>('SELECT public_jwk FROM oauth_signing_keys WHERE kid = $1', [kid], { prepare: true });
    const row = r.rows[0];
    if (!row) {
      if (this.missing.size >= MISSING_KID_LIMIT) this.missing.clear();
      this.missing.set(kid, Date.now());
      return undefined;
    }
    const publicKey = (await importJWK(row.public_jwk, SIGNING_ALG)) as CryptoKey;
    this.known.set(kid, { kid, publicKey });
    return publicKey;
  }

  /** The published key set, read from the database so it includes keys other instances made. */
  async jwks(): Promise<{ keys: JWK[] }> {
    await this.currentSigner();
    const r = await this.db.query<{ public_jwk: JWK }>('SELECT public_jwk FROM oauth_signing_keys ORDER BY created_at DESC');
    return { keys: r.rows.map((row) => row.public_jwk) };
  }

  private async currentSigner(): Promise<Signer> {
    if (!this.signer || Date.now() >= this.signer.dueAt) await this.rotateIfDue();
    if (!this.signer) throw new Error('No usable token signing key');
    return this.signer;
  }

  private async openPrivate(row: KeyRow): Promise<CryptoKey | undefined> {
    try {
      const text = isSealed(row.private_key) ? this.cipher?.open(row.private_key, aad(row.kid)) : row.private_key;
      return text === undefined ? undefined : ((await importJWK(JSON.parse(text) as JWK, SIGNING_ALG)) as CryptoKey);
    } catch {
      return undefined;
    }
  }

  private reload(): Promise<void> {
    this.loading ??= this.load().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async load(): Promise<void> {
    await this.retire();
    const r = await this.db.query<KeyRow>(
      'SELECT kid, private_key, public_jwk, extract(epoch FROM now() - created_at)::float8 AS age FROM oauth_signing_keys ORDER BY created_at DESC',
    );
    const known = new Map<string, KnownKey>();
    for (const row of r.rows) known.set(row.kid, { kid: row.kid, publicKey: (await importJWK(row.public_jwk, SIGNING_ALG)) as CryptoKey });
    const newest = r.rows[0];
    if (newest && newest.kid !== this.signer?.kid) {
      const privateKey = await this.openPrivate(newest);
      this.newestUnusable = privateKey === undefined;
      this.signer = privateKey && { kid: newest.kid, privateKey, dueAt: 0 };
    }
    // Ages come from the database clock, so instances with skewed clocks agree on when to rotate.
    if (this.signer && newest) this.signer.dueAt = Date.now() + (this.options.rotationSeconds - newest.age) * 1000;
    this.known = known;
    this.loadedAt = Date.now();
  }

  private rotateIfDue(): Promise<void> {
    this.rotating ??= this.rotate().finally(() => {
      this.rotating = undefined;
    });
    return this.rotating;
  }

  /** Drops keys whose successor has been signing for longer than any token lives. */
  private async retire(): Promise<void> {
    await this.db.query(
      `DELETE FROM oauth_signing_keys k WHERE EXISTS (
         SELECT 1 FROM oauth_signing_keys n
         WHERE n.created_at > k.created_at AND n.created_at < now() - make_interval(secs => $1))`,
      [this.options.maxTokenSeconds + RETIRE_MARGIN_SECONDS],
    );
  }

  /**
   * Creates a new signing key when the newest is due or unusable here. Instances take turns
   * under a lock, so a rotation due everywhere at once creates one key.
   */
  private async rotate(): Promise<void> {
    const force = this.newestUnusable;
    await this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [ROTATION_LOCK]);
      const newest = await tx.query<{ age: number }>(
        'SELECT extract(epoch FROM now() - created_at)::float8 AS age FROM oauth_signing_keys ORDER BY created_at DESC LIMIT 1',
      );
      if (force || newest.rows.length === 0 || newest.rows[0]!.age >= this.options.rotationSeconds) {
        const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
        const publicJwk = await exportJWK(publicKey);
        const kid = await calculateJwkThumbprint(publicJwk);
        const published = { ...publicJwk, kid, alg: SIGNING_ALG, use: 'sig' };
        const privateText = JSON.stringify(await exportJWK(privateKey));
        await tx.query(
          'INSERT INTO oauth_signing_keys (kid, alg, private_key, public_jwk, created_at) VALUES ($1, $2, $3, $4::jsonb, clock_timestamp())',
          [kid, SIGNING_ALG, this.cipher ? this.cipher.seal(privateText, aad(kid)) : privateText, JSON.stringify(published)],
        );
      }
    });
    // A load that started before the new key was committed would not see it: wait it out first.
    await this.loading;
    await this.reload();
  }
}
