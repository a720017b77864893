import type { OperationDefinition, Parameters, ParametersParameter } from '@medplum/fhirtypes';
import { badRequest, isValidId, parseReference } from '@salus/core';
import type { FhirRequest } from '../fhir/interaction.js';

/**
 * The input parameters of an operation, from the URL and, for POST, a Parameters body, read as
 * text and checked against its OperationDefinition: unknown names, repeats and missing required
 * ones are 400s naming the parameter.
 */
export class OperationInput {
  private constructor(private readonly values: Map<string, string>) {}

  static read(request: FhirRequest, definition: OperationDefinition): OperationInput {
    const declared = new Map((definition.parameter ?? []).filter((p) => p.use === 'in').map((p) => [p.name, p]));
    const values = new Map<string, string>();
    const add = (name: string, value: string): void => {
      // Format parameters of the HTTP layer are not the operation's.
      if (name === '_format' || name === '_pretty') return;
      if (!declared.has(name)) throw badRequest(`Unknown parameter '${name}' for $${definition.code}`, name);
      if (values.has(name)) throw badRequest(`Parameter '${name}' may be given once`, name);
      values.set(name, value);
    };
    for (const [k, v] of request.query) add(k, v);
    if (request.method === 'POST' && request.body !== undefined && request.body !== '') {
      const body = request.body as Parameters;
      if (typeof body !== 'object' || body === null || body.resourceType !== 'Parameters') {
        throw badRequest(`$${definition.code} takes a Parameters resource as its body`, 'resourceType');
      }
      for (const p of body.parameter ?? []) add(p.name, textOf(p));
    }
    for (const p of declared.values()) {
      if (p.min > 0 && !values.has(p.name)) throw badRequest(`Parameter '${p.name}' is required`, p.name);
    }
    return new OperationInput(values);
  }

  get(name: string): string | undefined {
    return this.values.get(name);
  }

  /** A reference to a resource of `type` on this server, as its id. */
  reference(name: string, type: string, baseUrl: string): string | undefined {
    const v = this.values.get(name);
    if (v === undefined) return undefined;
    const ref = parseReference(v, baseUrl) ?? (isValidId(v) ? { resourceType: type, id: v } : undefined);
    if (!ref || ref.resourceType !== type) throw badRequest(`Parameter '${name}' must reference a ${type} (${type}/id), not '${v}'`, name);
    return ref.id;
  }
}

/** A parameter's value as text: a reference as its string, primitives as written. */
function textOf(p: ParametersParameter): string {
  const v = p as unknown as Record<string, unknown>;
  for (const key of Object.keys(v)) {
    if (!key.startsWith('value')) continue;
    const value = v[key];
    if (key === 'valueReference') {
      const ref = (value as { reference?: unknown }).reference;
      if (typeof ref === 'string') return ref;
    } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      return String(value);
    }
    break;
  }
  throw badRequest(`Parameter '${p.name}' needs a value (valueReference with a reference, or a primitive value)`, p.name);
}
