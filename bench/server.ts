import { createServer } from 'node:net';
import { buildApp, defaultConfig, FHIR_PREFIX, type SalusApp } from '../packages/server/src/app.js';

export interface BenchServer {
  salus: SalusApp;
  /** http://127.0.0.1:PORT/fhir/R4 */
  baseUrl: string;
}

/** A free port on the loopback interface, chosen before the app is built so its links are right. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** The real server, built by the one composition root and listening on 127.0.0.1 only. */
export async function startBenchServer(databaseUrl: string): Promise<BenchServer> {
  const port = await freePort();
  const host = '127.0.0.1';
  // Not process.env: a developer's SALUS_* settings must not change what is measured.
  const salus = await buildApp({ ...defaultConfig({}), port, host, databaseUrl, logger: false });
  await salus.app.listen({ port, host });
  return { salus, baseUrl: `http://${host}:${port}${FHIR_PREFIX}` };
}
