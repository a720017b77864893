import type { FastifyInstance } from 'fastify';
import { notFound } from '@salus/core';
import type { DemoPerson } from '../seed/demo-world.js';
import { DEMO_PASSWORD, DEMO_TOTP_SECRET } from './demo-accounts.js';
import { totpCode } from './totp.js';

/**
 * `GET /auth/demo`: the demo sign-ins, for the sign-in page of a demo installation. Everything it
 * returns is already published (README, start-up output); it answers only when the server runs
 * with the demo world, and is a 404 otherwise.
 */

const ROLE_WORDS: Record<DemoPerson['role'], string> = {
  patient: 'Patient',
  caregiver: 'Caregiver',
  practitioner: 'Clinician',
  pharmacist: 'Pharmacist',
  'public-health': 'Public health',
  admin: 'Administrator',
};

export function registerDemoRoutes(app: FastifyInstance, deps: { people: DemoPerson[] | undefined; now: () => Date }): void {
  app.get('/auth/demo', async (_req, reply) => {
    if (!deps.people) throw notFound('This installation has no demo accounts');
    void reply.header('cache-control', 'no-store');
    return {
      password: DEMO_PASSWORD,
      totpSecret: DEMO_TOTP_SECRET,
      currentCode: totpCode(DEMO_TOTP_SECRET, deps.now()),
      people: deps.people.map((p) => ({ name: p.name, email: p.email, role: p.role, description: ROLE_WORDS[p.role], note: p.note })),
    };
  });
}
