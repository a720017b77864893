import type { InteractionConfig } from '../fhir/interaction.js';
import { DEMO_PASSWORD, DEMO_TOTP_SECRET } from '../auth/demo-accounts.js';
import { buildDemoWorld } from './demo-world.js';

/**
 * Loads the demo world in one transaction. With `onlyIfEmpty`, a database that already holds
 * patients is left alone, so restarting the server keeps whatever people changed.
 */
export async function seedDemo(
  fhir: InteractionConfig,
  options: { onlyIfEmpty: boolean; now?: Date },
): Promise<{ resources: number } | undefined> {
  if (options.onlyIfEmpty) {
    const r = await fhir.repo.db.query('SELECT 1 FROM resources WHERE res_type = $1 LIMIT 1', ['Patient']);
    if (r.rows.length > 0) return undefined;
  }
  const { bundle } = buildDemoWorld(options.now ? { now: options.now } : {});
  await fhir.bundle(fhir, { method: 'POST', path: '', query: [], prefer: 'return=minimal' }, bundle);
  return { resources: bundle.entry?.length ?? 0 };
}

export function printDemoPeople(): void {
  const { people } = buildDemoWorld();
  console.log(`Demo sign-ins (password for everyone: ${DEMO_PASSWORD}):`);
  for (const p of people) console.log(`  ${p.role.padEnd(14)} ${p.name.padEnd(24)} ${p.email.padEnd(40)} ${p.resource}`);
  console.log(`Staff also enter a code from an authenticator app set up with the demo secret ${DEMO_TOTP_SECRET}.`);
}
