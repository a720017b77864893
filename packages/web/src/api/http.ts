import type { OperationOutcome } from '@medplum/fhirtypes';

/**
 * The one way the app talks to the server: same origin, the session cookie sent along, JSON in
 * and out. Errors become `ApiError`s carrying the server's words (the OperationOutcome's
 * diagnostics), so screens can show what went wrong instead of a status code.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The FHIRPath of the offending element, when the server named one. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Any failure as an ApiError, so forms can show a thrown network or script error like a server's. */
export function asApiError(err: unknown): ApiError {
  return err instanceof ApiError ? err : new ApiError(0, err instanceof Error ? err.message : String(err));
}

/** Raised on every 401 from a signed-in screen, so the session layer can send the person to sign in. */
export const SESSION_EXPIRED_EVENT = 'salus:session-expired';

function messageOf(status: number, body: unknown): { message: string; field?: string } {
  if (body && typeof body === 'object') {
    const oo = body as OperationOutcome & { message?: string; error_description?: string };
    const first = oo.resourceType === 'OperationOutcome' ? oo.issue?.[0] : undefined;
    if (first) {
      const message = first.diagnostics ?? first.details?.text ?? first.code ?? `Request failed (${status})`;
      const field = first.expression?.[0];
      return field ? { message, field } : { message };
    }
    if (typeof oo.message === 'string') return { message: oo.message };
    if (typeof oo.error_description === 'string') return { message: oo.error_description };
  }
  if (status === 0) return { message: 'The server could not be reached. Check your connection and try again.' };
  return { message: `The server answered ${status}` };
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Do not announce a 401 as an expired session (sign-in screens expect 401 for a wrong password). */
  quiet401?: boolean;
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json, application/fhir+json', ...options.headers };
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['content-type'] = options.contentType ?? 'application/json';
    body = JSON.stringify(options.body);
  }
  let res: Response;
  try {
    res = await fetch(path, { method: options.method ?? (body ? 'POST' : 'GET'), headers, body, credentials: 'same-origin', signal: options.signal });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, messageOf(0, undefined).message);
  }
  const text = res.status === 204 ? '' : await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!res.ok) {
    if (res.status === 401 && !options.quiet401) window.dispatchEvent(new CustomEvent(SESSION_EXPIRED_EVENT));
    const { message, field } = messageOf(res.status, parsed);
    throw new ApiError(res.status, message, field);
  }
  return parsed as T;
}
