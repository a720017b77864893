import type { Queryable } from '../db/db.js';

/**
 * A server-generated secret, shared by every instance on the database: the first instance to ask
 * creates it, the others read the one it created. Operators who configure their own keys never
 * reach this; it exists so that a demo installation works with no setup.
 */
export async function getOrCreateSecret(db: Queryable, name: string, generate: () => string): Promise<string> {
  await db.query('INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, generate()]);
  return (await readSecret(db, name))!;
}

/** A secret the server generated earlier, or undefined when it never did. */
export async function readSecret(db: Queryable, name: string): Promise<string | undefined> {
  const r = await db.query<{ value: string }>('SELECT value FROM server_secrets WHERE name = $1', [name]);
  return r.rows[0]?.value;
}
