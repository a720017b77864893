import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Bundle, OperationOutcome, Parameters, Patient } from '@medplum/fhirtypes';
import { defaultPlan } from '@salus/core';
import { importJWK, SignJWT, type JWK } from 'jose';
import { FHIR_PREFIX } from '../app.js';
import { SESSION_COOKIE } from '../auth/types.js';
import { Simulator, type DeviceRole } from './simulator.js';
import { httpTransport, mqttTransport, runSimulation, type DeviceCredentials, type PatientDevices, type ReadingsTransport } from './simulator-transport.js';

/**
 * `salus simulate`: simulated home devices for the patients of a running Salus, for demos and
 * load. Everything goes through the HTTP API, as another program would: a demo installation's
 * embedded database cannot be opened by a second process. It signs in as the demo clinician (both
 * steps, with the password and authenticator code `GET /auth/demo` publishes) and takes "My
 * patients", or authenticates as a Backend Services client and takes the first patients; enrols
 * each on a default monitoring plan when not yet enrolled; enrols a watch and a home kit for each
 * (their tokens are shown once, so every run enrols its own and revokes them at the end); and
 * sends readings until the duration is over or Ctrl-C.
 */

export const SIMULATE_CLI_OPTIONS = {
  url: { type: 'string' },
  patients: { type: 'string' },
  deteriorating: { type: 'string' },
  transport: { type: 'string' },
  'mqtt-url': { type: 'string' },
  rate: { type: 'string' },
  duration: { type: 'string' },
  span: { type: 'string' },
  'batch-ms': { type: 'string' },
  seed: { type: 'string' },
  'client-id': { type: 'string' },
  'client-key': { type: 'string' },
} as const;

export type SimulateCliValues = { [K in keyof typeof SIMULATE_CLI_OPTIONS]?: string | undefined };

export const SIMULATE_CLI_USAGE = `  simulate           send simulated home-monitoring readings to a running Salus:
                       --url <url> (default http://localhost:8080), --patients <n> (10),
                       --deteriorating <k> (2), --transport https|mqtt (https),
                       --mqtt-url <url> (mqtt://<url's host>:1883), --rate <readings/s overall>
                       (5 per patient), --duration <s> (until Ctrl-C), --span <min> (20: how long
                       the deteriorating patients take to get ill), --batch-ms <ms> (1000), --seed <n>;
                       signs in as the demo clinician, or as a Backend Services client with
                       --client-id <id> --client-key <private JWK file>
`;

interface Out {
  write(text: string): unknown;
}

interface Options {
  url: string;
  patients: number;
  deteriorating: number;
  transport: 'https' | 'mqtt';
  mqttUrl: string;
  /** Readings per second overall; by default 5 for each patient simulated. */
  rate?: number;
  durationMs?: number;
  spanMinutes: number;
  batchMs: number;
  seed: number;
  client?: { id: string; keyFile: string };
}

function nonNegative(values: SimulateCliValues, name: keyof SimulateCliValues, fallback: number, integer: boolean): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) throw new Error(`--${name} must be a ${integer ? 'whole ' : ''}number of 0 or more, not '${raw}'`);
  return n;
}

function simulateOptions(values: SimulateCliValues): Options {
  const url = (values.url ?? 'http://localhost:8080').replace(/\/$/, '');
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    throw new Error(`--url must be a URL such as http://localhost:8080, not '${url}'`);
  }
  const transport = values.transport ?? 'https';
  if (transport !== 'https' && transport !== 'mqtt') throw new Error(`--transport is https or mqtt, not '${transport}'`);
  if ((values['client-id'] === undefined) !== (values['client-key'] === undefined)) throw new Error('--client-id and --client-key go together');
  const out: Options = {
    url,
    patients: nonNegative(values, 'patients', 10, true),
    deteriorating: nonNegative(values, 'deteriorating', 2, true),
    transport,
    mqttUrl: values['mqtt-url'] ?? `mqtt://${host.includes(':') ? `[${host}]` : host}:1883`,
    spanMinutes: nonNegative(values, 'span', 20, false),
    batchMs: nonNegative(values, 'batch-ms', 1000, true),
    seed: nonNegative(values, 'seed', 1, true),
  };
  if (values.rate !== undefined) out.rate = nonNegative(values, 'rate', 0, false);
  if (values.duration !== undefined) out.durationMs = nonNegative(values, 'duration', 0, false) * 1000;
  if (values['client-id'] && values['client-key']) out.client = { id: values['client-id'], keyFile: values['client-key'] };
  if (out.patients === 0 || out.rate === 0 || out.spanMinutes === 0 || out.batchMs === 0) throw new Error('--patients, --rate, --span and --batch-ms must be above 0');
  return out;
}

/** The server's words for a failed request: the OperationOutcome's diagnostics, an OAuth error, or the status. */
async function failure(res: Response, what: string): Promise<Error> {
  const text = await res.text();
  let words = text.slice(0, 300);
  try {
    const body = JSON.parse(text) as OperationOutcome & { error_description?: string };
    words = body.issue?.[0]?.diagnostics ?? body.error_description ?? words;
  } catch {
    // Not JSON: the text itself says it.
  }
  return new Error(`${what}: ${res.status} ${words}`);
}

/** The caller's credentials, renewed when they are about to run out. */
interface Credentials {
  headers(): Promise<Record<string, string>>;
  /** Whose patients to take: the signed-in clinician's, or (a Backend Services client) anyone's. */
  practitioner?: string;
  describe: string;
}

interface DemoInfo {
  password: string;
  currentCode: string;
  people: { name: string; email: string; role: string }[];
}

const TOTP_STEP_MS = 30_000;

/**
 * Signs in as the first demo clinician the way the web app does: password (which sets the session
 * cookie), then the authenticator code. A code is good once: when someone else just used this
 * step's, the next step's code is asked for.
 */
async function demoClinician(base: string, err: Out): Promise<Credentials> {
  const demo = async (): Promise<DemoInfo> => {
    const res = await fetch(`${base}/auth/demo`);
    if (res.status === 404) throw new Error(`${base} has no demo accounts; sign in as a Backend Services client with --client-id and --client-key`);
    if (!res.ok) throw await failure(res, 'GET /auth/demo');
    return (await res.json()) as DemoInfo;
  };
  const info = await demo();
  const clinician = info.people.find((p) => p.role === 'practitioner');
  if (!clinician) throw new Error('The demo has no clinician to sign in as');
  const login = await fetch(`${base}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: clinician.email, password: info.password }) });
  if (!login.ok) throw await failure(login, `Signing in as ${clinician.email}`);
  const token = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  if (!token) throw new Error(`Signing in as ${clinician.email} set no ${SESSION_COOKIE} cookie`);
  const cookie = { cookie: token };
  const { complete } = (await login.json()) as { complete: boolean };
  let code = info.currentCode;
  for (let attempt = 1; !complete; attempt++) {
    const mfa = await fetch(`${base}/auth/login/mfa`, { method: 'POST', headers: { 'content-type': 'application/json', ...cookie }, body: JSON.stringify({ code }) });
    if (mfa.ok) break;
    if (mfa.status !== 401 || attempt === 3) throw await failure(mfa, `Second sign-in step as ${clinician.email}`);
    const wait = TOTP_STEP_MS - (Date.now() % TOTP_STEP_MS) + 1000;
    err.write(`This authenticator code was already used; waiting ${Math.round(wait / 1000)} s for the next one\n`);
    await new Promise((r) => setTimeout(r, wait));
    code = (await demo()).currentCode;
  }
  const me = await fetch(`${base}/auth/me`, { headers: cookie });
  if (!me.ok) throw await failure(me, 'GET /auth/me');
  const fhirUser = ((await me.json()) as { account: { fhirUser?: string } }).account.fhirUser;
  if (!fhirUser) throw new Error(`${clinician.email} is not linked to a Practitioner`);
  return { headers: async () => cookie, practitioner: fhirUser, describe: `${clinician.name} (${clinician.email})` };
}

/** Backend Services tokens last five minutes; a new one is fetched a minute before. */
const RENEW_AFTER_MS = 4 * 60_000;

/**
 * SMART Backend Services: client_credentials with a private_key_jwt assertion signed with the
 * client's private key (a JWK, or a JWK Set holding one, whose public half was registered with
 * `salus client create --jwks`). Salus takes no shared secrets for client_credentials.
 */
async function backendClient(base: string, client: { id: string; keyFile: string }): Promise<Credentials> {
  let jwk: JWK;
  try {
    const parsed = JSON.parse(readFileSync(client.keyFile, 'utf8')) as JWK & { keys?: JWK[] };
    jwk = parsed.keys?.[0] ?? parsed;
  } catch (e) {
    throw new Error(`--client-key ${client.keyFile}: ${e instanceof Error ? e.message : String(e)} (expected a private JWK as JSON)`);
  }
  if (!jwk.d) throw new Error(`--client-key ${client.keyFile} holds a public key; the private one signs the assertion`);
  const alg = jwk.alg ?? (jwk.kty === 'EC' ? 'ES256' : 'RS384');
  const key = await importJWK(jwk, alg);
  const tokenUrl = `${base}/oauth/token`;
  let current: { value: string; at: number } | undefined;
  const fetchToken = async (): Promise<string> => {
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg, typ: 'JWT', ...(jwk.kid ? { kid: jwk.kid } : {}) })
      .setIssuer(client.id)
      .setSubject(client.id)
      .setAudience(tokenUrl)
      .setJti(randomBytes(16).toString('hex'))
      .setExpirationTime('4m')
      .sign(key);
    const res = await fetch(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'system/*.cruds', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion }),
    });
    if (!res.ok) throw await failure(res, `Token for client ${client.id}`);
    return ((await res.json()) as { access_token: string }).access_token;
  };
  return {
    async headers() {
      if (!current || Date.now() - current.at > RENEW_AFTER_MS) current = { value: await fetchToken(), at: Date.now() };
      return { authorization: `Bearer ${current.value}` };
    },
    describe: `Backend Services client ${client.id}`,
  };
}

async function api<T>(base: string, creds: Credentials, method: string, path: string, body?: unknown): Promise<T> {
  const fhir = path.startsWith(FHIR_PREFIX);
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      accept: 'application/json, application/fhir+json',
      ...(body === undefined ? {} : { 'content-type': fhir ? 'application/fhir+json' : 'application/json' }),
      ...(await creds.headers()),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw await failure(res, `${method} ${path}`);
  return (await res.json()) as T;
}

const patientsOf = (bundle: Bundle): Patient[] => (bundle.entry ?? []).map((e) => e.resource).filter((r): r is Patient => r?.resourceType === 'Patient');
const family = (p: Patient): string => p.name?.[0]?.family ?? '';
const nameOf = (p: Patient): string => {
  const n = p.name?.[0];
  return n?.text ?? ([...(n?.given ?? []), n?.family].filter(Boolean).join(' ') || p.id!);
};

/**
 * The patients to simulate: "My patients" as the web app lists them (the clinician is their GP,
 * or on an active care team of theirs), sorted by family name; for a Backend Services client, the
 * first patients by family name.
 */
async function choosePatients(base: string, creds: Credentials, count: number): Promise<Patient[]> {
  const fhir = (query: string): Promise<Bundle> => api<Bundle>(base, creds, 'GET', `${FHIR_PREFIX}/${query}`);
  if (!creds.practitioner) return patientsOf(await fhir(`Patient?_sort=family&_count=${count}`));
  const who = encodeURIComponent(creds.practitioner);
  const [gp, teams] = await Promise.all([fhir(`Patient?general-practitioner=${who}&_count=200&_sort=family`), fhir(`CareTeam?participant=${who}&status=active&_include=CareTeam:subject&_count=200`)]);
  const byId = new Map<string, Patient>();
  for (const p of [...patientsOf(gp), ...patientsOf(teams)]) if (!byId.has(p.id!)) byId.set(p.id!, p);
  return [...byId.values()].sort((a, b) => family(a).localeCompare(family(b))).slice(0, count);
}

const DEVICE_TYPE: Record<DeviceRole, { type: string; model: string }> = {
  wearable: { type: 'watch', model: 'Simulated watch' },
  spot: { type: 'blood-pressure-monitor', model: 'Simulated home kit' },
};

async function enrolDevice(base: string, creds: Credentials, patientId: string, role: DeviceRole, serial: string): Promise<DeviceCredentials> {
  const params: Parameters = {
    resourceType: 'Parameters',
    parameter: [
      { name: 'type', valueCode: DEVICE_TYPE[role].type },
      { name: 'manufacturer', valueString: 'Salus simulator' },
      { name: 'model', valueString: DEVICE_TYPE[role].model },
      { name: 'serial', valueString: serial },
    ],
  };
  const out = await api<Parameters>(base, creds, 'POST', `${FHIR_PREFIX}/Patient/${encodeURIComponent(patientId)}/$enrol-device`, params);
  const deviceId = out.parameter?.find((p) => p.name === 'device')?.resource?.id;
  const token = out.parameter?.find((p) => p.name === 'token')?.valueString;
  if (!deviceId || !token) throw new Error(`$enrol-device for Patient/${patientId} returned no device or token`);
  return { deviceId, token };
}

/** Runs `salus simulate`; returns the exit code. */
export async function runSimulateCommand(values: SimulateCliValues, io: { err: Out }): Promise<number> {
  const { err } = io;
  const o = simulateOptions(values);
  const creds = o.client ? await backendClient(o.url, o.client) : await demoClinician(o.url, err);
  err.write(`Signed in to ${o.url} as ${creds.describe}\n`);
  const patients = await choosePatients(o.url, creds, o.patients);
  if (patients.length === 0) throw new Error(creds.practitioner ? `${creds.describe} has no patients (none has them as GP or on a care team)` : 'The server has no patients');
  if (patients.length < o.patients) err.write(`Only ${patients.length} patients are available; simulating those\n`);

  const simulator = new Simulator({
    seed: o.seed,
    patients: patients.length,
    deteriorating: o.deteriorating,
    startMs: Date.now(),
    readingsPerSecondPerPatient: o.rate === undefined ? 5 : o.rate / patients.length,
    deteriorationMinutes: o.spanMinutes,
  });
  const devices: PatientDevices[] = [];
  const stop = new AbortController();
  // The first Ctrl-C ends the run (and a set-up under way) and waits for the answers; a second one does not wait.
  const interrupt = (): void => {
    if (stop.signal.aborted) process.exit(130);
    err.write('Stopping: waiting for the answers to what was sent (Ctrl-C again to quit at once)\n');
    stop.abort();
  };
  process.on('SIGINT', interrupt);
  try {
    for (const [i, patient] of patients.entries()) {
      if (stop.signal.aborted) break;
      const sim = simulator.patients[i]!;
      const id = patient.id!;
      const summary = await api<{ enrolled: boolean; plan: { conditions: string[] } }>(o.url, creds, 'GET', `/monitoring/patients/${encodeURIComponent(id)}`);
      let plan = `already enrolled (${summary.plan.conditions.join(', ') || 'no conditions'})`;
      if (!summary.enrolled) {
        await api(o.url, creds, 'PUT', `/monitoring/patients/${encodeURIComponent(id)}/plan`, defaultPlan(sim.conditions));
        plan = `enrolled on the default ${sim.conditions.join(' + ')} plan`;
      }
      const serial = (role: DeviceRole): string => `sim-${o.seed}-${i}-${role}-${randomBytes(3).toString('hex')}`;
      devices.push({ wearable: await enrolDevice(o.url, creds, id, 'wearable', serial('wearable')), spot: await enrolDevice(o.url, creds, id, 'spot', serial('spot')) });
      const units = sim.usUnits ? ', US units' : '';
      err.write(`  ${nameOf(patient)} (Patient/${id}): ${sim.profile}, simulated as ${sim.conditions.join(' + ')}${units}; ${plan}\n`);
    }
    if (stop.signal.aborted) return 130;

    let transport: ReadingsTransport;
    if (o.transport === 'mqtt') {
      const mqtt = await mqttTransport(o.mqttUrl, devices.flatMap((d) => [d.wearable, d.spot]));
      err.write(`Connected ${devices.length * 2} devices to ${o.mqttUrl} (MQTT ${mqtt.protocolVersion === 5 ? '5' : '3.1.1'})\n`);
      transport = mqtt;
    } else {
      transport = httpTransport(o.url, Math.min(16, devices.length * 2));
    }
    const rate = Math.round(simulator.options.readingsPerSecondPerPatient * 10) / 10;
    err.write(
      `Sending about ${rate} wearable readings/s per patient over ${o.transport === 'mqtt' ? 'MQTT' : 'HTTP'}, a batch per device every ${o.batchMs} ms; ${simulator.options.deteriorating} deteriorating over ${o.spanMinutes} min; ${o.durationMs === undefined ? 'Ctrl-C to stop' : `for ${o.durationMs / 1000} s`}\n`,
    );
    try {
      const totals = await runSimulation({
        simulator,
        devices,
        transport,
        batchMs: o.batchMs,
        ...(o.durationMs === undefined ? {} : { durationMs: o.durationMs }),
        signal: stop.signal,
        report: (line) => err.write(`${line}\n`),
      });
      err.write(
        `Done: ${totals.sent} readings in ${totals.batches} batches over ${totals.seconds} s; ${totals.accepted} accepted, ${totals.rejected} rejected (${totals.implausibleSent} sent implausible on purpose), ${totals.duplicates} duplicates, ${totals.alerts} alerts opened, ${totals.failedBatches} batches failed${totals.firstError ? ` (${totals.firstError})` : ''}\n`,
      );
      return totals.failedBatches > 0 ? 1 : 0;
    } finally {
      await transport.close();
    }
  } finally {
    process.off('SIGINT', interrupt);
    // Each run's tokens were shown to it alone; its devices are disconnected rather than left behind unusable.
    const ids = devices.flatMap((d) => [d.wearable.deviceId, d.spot.deviceId]);
    const revoked = await Promise.allSettled(ids.map((id) => api(o.url, creds, 'POST', `${FHIR_PREFIX}/Device/${encodeURIComponent(id)}/$revoke`)));
    const failed = revoked.filter((r) => r.status === 'rejected');
    if (ids.length) err.write(`Disconnected ${ids.length - failed.length} of ${ids.length} simulated devices${failed.length ? ` (${(failed[0] as PromiseRejectedResult).reason})` : ''}\n`);
  }
}
