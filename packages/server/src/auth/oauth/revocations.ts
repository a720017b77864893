import type { Db, Queryable } from '../../db/db.js';

export interface Revocation {
  /** An access token id (jti), a grant id (gid) or a browser session id (sid). */
  id: string;
  kind: 'token' | 'grant' | 'session';
  /** When the last access token it could cover expires; the entry is useless after that. */
  expiresAt: Date;
}

// Rows are re-read this far back on every sync: a revocation committed late by a long transaction
// carries a revoked_at earlier than the previous sync, and must not be skipped.
const OVERLAP_SECONDS = 60;

/**
 * Revoked access tokens, grants and sessions, mirrored in memory so that checking a token on
 * every FHIR request costs no query. The mirror is refreshed from the database at most once per
 * `syncMs` (one indexed range read of the rows revoked since the last refresh, shared by all
 * requests waiting on it); revocations made through this instance are in it at once. With
 * several instances, one made elsewhere is seen within `syncMs`; 0 reads on every check.
 */
export class RevocationList {
  private revoked = new Map<string, number>();
  private syncedAt = 0;
  /** Database clock at the last sync. */
  private dbNow: string | undefined;
  private syncing: Promise<void> | undefined;

  constructor(
    private readonly db: Db,
    private readonly syncMs: number,
  ) {}

  /** Whether any of the ids (a token's jti, gid, sid) is revoked. */
  async any(ids: readonly (string | undefined)[]): Promise<boolean> {
    if (Date.now() - this.syncedAt >= this.syncMs) await this.sync();
    return ids.some((id) => id !== undefined && this.revoked.has(id));
  }

  /** Records revocations; pass the open transaction when they must commit with other writes. */
  async add(entries: readonly Revocation[], q: Queryable = this.db): Promise<void> {
    if (entries.length === 0) return;
    await q.query(
      `INSERT INTO oauth_revocations (id, kind, expires_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[])
       ON CONFLICT (id) DO UPDATE SET expires_at = greatest(oauth_revocations.expires_at, excluded.expires_at)`,
      [entries.map((e) => e.id), entries.map((e) => e.kind), entries.map((e) => e.expiresAt.toISOString())],
    );
  }

  /** Puts committed revocations into this instance's mirror without waiting for the next sync. */
  remember(entries: readonly Revocation[]): void {
    for (const e of entries) this.revoked.set(e.id, Math.max(this.revoked.get(e.id) ?? 0, e.expiresAt.getTime()));
  }

  private sync(): Promise<void> {
    this.syncing ??= this.read().finally(() => {
      this.syncing = undefined;
    });
    return this.syncing;
  }

  private async read(): Promise<void> {
    const started = Date.now();
    const r = await this.db.query<{ now: string; rows: [string, string][] }>(
      `SELECT now() AS now, coalesce(
         (SELECT json_agg(json_build_array(id, expires_at)) FROM oauth_revocations
          WHERE revoked_at > $1::timestamptz - make_interval(secs => $2) AND expires_at > now()),
         '[]'::json) AS rows`,
      [this.dbNow ?? '-infinity', OVERLAP_SECONDS],
      { prepare: true },
    );
    const { now, rows } = r.rows[0]!;
    for (const [id, expires] of rows) this.revoked.set(id, Math.max(this.revoked.get(id) ?? 0, Date.parse(expires)));
    for (const [id, expires] of this.revoked) if (expires < started - OVERLAP_SECONDS * 1000) this.revoked.delete(id);
    this.dbNow = now;
    this.syncedAt = started;
  }
}
