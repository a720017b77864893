import type { HumanName } from '@medplum/fhirtypes';

/** The name a person goes by: the usual one, else the official one, else any not marked old. */
export function preferredName(names: HumanName | HumanName[] | undefined): HumanName | undefined {
  const list = Array.isArray(names) ? names : names ? [names] : [];
  return list.find((n) => n.use === 'usual') ?? list.find((n) => n.use === 'official') ?? list.find((n) => n.use !== 'old') ?? list[0];
}

/**
 * A person's name as people are addressed: prefix, given names and family ("Dr. Amara Okafor"),
 * or the name's text when it has no parts. Empty when there is no name at all.
 */
export function formatName(names: HumanName | HumanName[] | undefined): string {
  const name = preferredName(names);
  if (!name) return '';
  const parts = [...(name.prefix ?? []), ...(name.given ?? []), ...(name.family ? [name.family] : [])];
  return parts.length ? parts.join(' ') : (name.text ?? '');
}
