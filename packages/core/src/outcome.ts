import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';

/** Issue codes from http://hl7.org/fhir/issue-type (R4) that Salus raises. */
export type IssueCode = OperationOutcomeIssue['code'];
export type IssueSeverity = OperationOutcomeIssue['severity'];

/**
 * The one error type of Salus: an HTTP status plus the OperationOutcome that explains it.
 * Domain code throws it; the HTTP layer turns it into the response unchanged.
 */
export class FhirError extends Error {
  readonly status: number;
  readonly outcome: OperationOutcome;

  constructor(status: number, outcome: OperationOutcome) {
    super(outcome.issue?.map((i) => i.diagnostics ?? i.details?.text ?? i.code).join('; ') ?? 'error');
    this.name = 'FhirError';
    this.status = status;
    this.outcome = outcome;
  }
}

export function issue(
  severity: IssueSeverity,
  code: IssueCode,
  diagnostics: string,
  expression?: string | string[],
): OperationOutcomeIssue {
  const out: OperationOutcomeIssue = { severity, code, diagnostics };
  if (expression !== undefined) out.expression = Array.isArray(expression) ? expression : [expression];
  return out;
}

export function outcome(...issues: OperationOutcomeIssue[]): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: issues };
}

export function allOk(diagnostics = 'All OK'): OperationOutcome {
  return outcome(issue('information', 'informational', diagnostics));
}

function fail(status: number, code: IssueCode, diagnostics: string, expression?: string | string[]): FhirError {
  return new FhirError(status, outcome(issue('error', code, diagnostics, expression)));
}

export const badRequest = (diagnostics: string, expression?: string | string[]): FhirError =>
  fail(400, 'invalid', diagnostics, expression);
export const invalidResource = (issues: OperationOutcomeIssue[]): FhirError => new FhirError(400, outcome(...issues));
export const notSupported = (diagnostics: string, expression?: string | string[]): FhirError =>
  fail(400, 'not-supported', diagnostics, expression);
export const unauthorized = (diagnostics = 'Authentication required'): FhirError => fail(401, 'login', diagnostics);
export const forbidden = (diagnostics = 'Forbidden'): FhirError => fail(403, 'forbidden', diagnostics);
export const notFound = (diagnostics: string): FhirError => fail(404, 'not-found', diagnostics);
export const methodNotAllowed = (diagnostics: string): FhirError => fail(405, 'not-supported', diagnostics);
export const conflict = (diagnostics: string): FhirError => fail(409, 'conflict', diagnostics);
export const gone = (diagnostics: string): FhirError => fail(410, 'deleted', diagnostics);
export const preconditionFailed = (diagnostics: string): FhirError => fail(412, 'conflict', diagnostics);
export const tooLarge = (diagnostics: string): FhirError => fail(413, 'too-costly', diagnostics);
export const unsupportedMediaType = (diagnostics: string): FhirError => fail(415, 'not-supported', diagnostics);
export const unprocessable = (diagnostics: string, expression?: string | string[]): FhirError =>
  fail(422, 'processing', diagnostics, expression);
export const multipleMatches = (diagnostics: string): FhirError => fail(412, 'multiple-matches', diagnostics);

export function isFhirError(e: unknown): e is FhirError {
  return e instanceof FhirError;
}
