import { createServer } from 'node:net';
import { buildApp, defaultConfig, FHIR_PREFIX, type SalusApp } from '../packages/server/src/app.js';
import { backendToken } from '../packages/server/src/test-support.js';

export interface BenchServer {
  salus: SalusApp;
  /** http://127.0.0.1:PORT/fhir/R4 */
  baseUrl: string;
  /** Access token of a Backend Services client holding `system/*.cruds`, good for the whole run. */
  token: string;
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
  // Not process.env: a developer's SALUS_* settings (keys, mail, token lifetimes) must not change
  // what is measured. One token serves the whole run, which stays well within an hour even with
  // --long; the default ten minutes would expire mid-run.
  const salus = await buildApp(
    { ...defaultConfig({}), port, host, databaseUrl, logger: false },
    { env: {}, oauthOptions: { accessTokenSeconds: 3600 } },
  );
  try {
    await salus.app.listen({ port, host });
    return { salus, baseUrl: `http://${host}:${port}${FHIR_PREFIX}`, token: await backendToken(salus) };
  } catch (e) {
    // The caller gets no server to close, so a failed start must not leave this one listening.
    await salus.close();
    throw e;
  }
}
