import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Db } from './db.js';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
// Any fixed number: instances starting together against one database take turns migrating.
const MIGRATION_LOCK = 7_351_901;

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{3}-[a-z0-9-]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 3)), name: f.slice(4, -4), sql: readFileSync(join(dir, f), 'utf8') }));
}

/** Applies the migrations not yet recorded, each in its own transaction. Returns those applied. */
export async function migrate(db: Db): Promise<Migration[]> {
  const applied: Migration[] = [];
  await db.transaction(async (tx) => {
    // The lock comes first: even CREATE TABLE IF NOT EXISTS fails with a unique violation when
    // two sessions create the same table at once.
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set(
      (await tx.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version),
    );
    for (const m of listMigrations()) {
      if (done.has(m.version)) continue;
      for (const statement of splitStatements(m.sql)) await tx.query(statement);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m);
    }
  });
  return applied;
}

/**
 * Splits a migration script at semicolons that end a line (migrations keep one statement per such
 * line), except inside dollar-quoted bodies of functions, whose statements end lines too.
 */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (const line of sql.split('\n')) {
    if (!quote && /^\s*--/.test(line)) continue;
    current += `${line}\n`;
    for (const tag of line.match(/\$[A-Za-z_]*\$/g) ?? []) {
      if (!quote) quote = tag;
      else if (tag === quote) quote = undefined;
    }
    if (!quote && /;\s*$/.test(line)) {
      statements.push(current.trim().replace(/;$/, ''));
      current = '';
    }
  }
  if (current.trim()) statements.push(current.trim());
  return statements.filter((s) => s.length > 0);
}
