import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { isFhirDecimal, issue, type IssueCode } from '@salus/core';
import { isResourceType } from '../definitions.js';
import { typeInfo, type ElementInfo, type TypeInfo } from './structure-index.js';

/**
 * Structural validation of FHIR R4 JSON against the official StructureDefinitions: known
 * elements, cardinality, JSON shapes and primitive formats. Invariants and terminology
 * bindings are out of scope. Every write to the server passes through here, so the walk visits
 * each value once and consults only the in-memory index built from the definitions.
 */

type JsonObject = Record<string, unknown>;

/** Every concrete R4 resource type; abstract ones (Resource, DomainResource) are not. */
export function isKnownResourceType(type: string): boolean {
  return isResourceType(type);
}

/** Returns the problems with `resource` as issues of severity error; empty when it is valid. */
export function validateResource(resource: unknown): OperationOutcomeIssue[] {
  const issues: OperationOutcomeIssue[] = [];
  if (!isObject(resource)) report(issues, 'structure', `A resource must be a JSON object, found ${kindOf(resource)}`, '$this');
  else checkResource(resource, '', issues);
  return issues;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isFhirDecimal(value);
}

function kindOf(value: unknown): string {
  if (isFhirDecimal(value)) return 'number';
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}

function report(issues: OperationOutcomeIssue[], code: IssueCode, diagnostics: string, expression: string): void {
  issues.push(issue('error', code, diagnostics, expression));
}

/** `path` is where the resource sits ('' for the root, `Bundle.entry[0].resource` inside). */
function checkResource(obj: JsonObject, path: string, issues: OperationOutcomeIssue[]): void {
  const type = obj.resourceType;
  const at = path ? `${path}.resourceType` : 'resourceType';
  if (type === undefined) report(issues, 'required', 'A resource must have a resourceType', at);
  else if (typeof type !== 'string') report(issues, 'value', `resourceType must be a string, found ${kindOf(type)}`, at);
  else if (!isKnownResourceType(type)) report(issues, 'not-supported', `Unknown resource type '${type}'`, at);
  else checkObject(obj, typeInfo(type), path || type, issues);
}

/** A property set to undefined (possible from code, never from JSON) counts as absent. */
function has(obj: JsonObject, key: string): boolean {
  return Object.hasOwn(obj, key) && obj[key] !== undefined;
}

function checkObject(obj: JsonObject, type: TypeInfo, path: string, issues: OperationOutcomeIssue[]): void {
  let empty = true;
  let choices: Map<string, string> | undefined;
  for (const key in obj) {
    const value = obj[key];
    if (value === undefined) continue;
    empty = false;
    let el = type.elements.get(key);
    if (el) {
      checkElement(el, value, el.extensible ? obj[el.extName] : undefined, `${path}.${key}`, issues);
    } else if (key.startsWith('_') && (el = type.elements.get(key.slice(1)))?.extensible) {
      // Extensions without a value; with one they were checked together with the value.
      if (!has(obj, el.name)) checkElement(el, undefined, value, `${path}.${el.name}`, issues);
    } else {
      if (!(key === 'resourceType' && type.isResource)) {
        report(issues, 'structure', `Unknown element '${key}' in ${type.name}`, `${path}.${key}`);
      }
      continue;
    }
    if (el.choice) {
      choices ??= new Map();
      const other = choices.get(el.choice);
      if (other === undefined) choices.set(el.choice, el.name);
      else if (other !== el.name) {
        report(issues, 'structure', `Only one of ${other} and ${el.name} may be present (${el.choice}[x])`, `${path}.${el.choice}`);
      }
    }
  }
  if (empty) {
    report(issues, 'structure', 'Empty objects are not allowed in FHIR JSON', path);
    return;
  }
  for (const req of type.required) {
    if (!req.alternatives.some((el) => has(obj, el.name) || (el.extensible && has(obj, el.extName)))) {
      report(issues, 'required', `Missing required element '${req.name}' of ${type.name}`, `${path}.${req.name}`);
    }
  }
}

/** `value` and `ext` are the property and its `_` sibling; either may be undefined. */
function checkElement(el: ElementInfo, value: unknown, ext: unknown, path: string, issues: OperationOutcomeIssue[]): void {
  if (el.max === 0) {
    report(issues, 'structure', `Element '${el.name}' is not allowed (max 0)`, path);
  } else if (el.isArray) {
    checkList(el, value, ext, path, issues);
  } else {
    if (value !== undefined) {
      if (Array.isArray(value)) report(issues, 'structure', `Element '${el.name}' takes one value, not an array (max 1)`, path);
      else checkValue(el, value, path, issues);
    }
    if (ext !== undefined) checkExtensions(el, ext, path, issues);
  }
}

function checkList(el: ElementInfo, value: unknown, ext: unknown, path: string, issues: OperationOutcomeIssue[]): void {
  const limit = el.max === Infinity ? '*' : el.max;
  if (value !== undefined && !Array.isArray(value)) {
    report(issues, 'structure', `Element '${el.name}' must be an array (max ${limit})`, path);
    return;
  }
  if (ext !== undefined && !Array.isArray(ext)) {
    report(issues, 'structure', `Element '${el.extName}' must be an array, like '${el.name}'`, path);
    return;
  }
  const values = value as unknown[] | undefined;
  const exts = ext as unknown[] | undefined;
  if (values && exts && values.length !== exts.length) {
    report(issues, 'structure', `'${el.name}' and '${el.extName}' must have the same length`, path);
    return;
  }
  const count = (values ?? exts ?? []).length;
  if (count === 0) {
    report(issues, 'structure', 'Empty arrays are not allowed in FHIR JSON', path);
    return;
  }
  // R4's own definitions only use the bounds 0, 1 and *, but the index carries whatever they say.
  if (count > el.max) report(issues, 'structure', `Element '${el.name}' allows at most ${el.max} values, found ${count}`, path);
  if (count < el.min) report(issues, 'required', `Element '${el.name}' needs at least ${el.min} values, found ${count}`, path);
  for (let i = 0; i < count; i++) {
    const v = values?.[i] ?? null;
    const x = exts?.[i] ?? null;
    const itemPath = `${path}[${i}]`;
    // In aligned arrays null marks "no value" or "no extensions" at a position, never both.
    if (v !== null) checkValue(el, v, itemPath, issues);
    else if (x === null) report(issues, 'structure', 'Null values are not allowed in FHIR JSON', itemPath);
    if (x !== null) checkExtensions(el, x, itemPath, issues);
  }
}

function checkValue(el: ElementInfo, value: unknown, path: string, issues: OperationOutcomeIssue[]): void {
  if (value === null) {
    report(issues, 'structure', 'Null values are not allowed in FHIR JSON', path);
  } else if (el.check) {
    const problem = el.check(value);
    if (problem) report(issues, 'value', problem, path);
  } else if (!isObject(value)) {
    report(issues, 'structure', `Expected an object (${el.type === 'Resource' ? 'a resource' : el.type}), found ${kindOf(value)}`, path);
  } else if (el.type === 'Resource') {
    checkResource(value, path, issues);
  } else {
    checkObject(value, typeInfo(el.type), path, issues);
  }
}

/** The `_name` object of a primitive: its id and extensions, described by the primitive's definition. */
function checkExtensions(el: ElementInfo, ext: unknown, path: string, issues: OperationOutcomeIssue[]): void {
  if (isObject(ext)) checkObject(ext, typeInfo(el.type), path, issues);
  else report(issues, 'structure', `'${el.extName}' must be an object holding id and extensions, found ${kindOf(ext)}`, path);
}
