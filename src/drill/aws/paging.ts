// Shared pieces of the simulated APIs: pages with opaque tokens, tag lists, EC2-style filters.
import { decodeToken, encodeToken } from './ids.js';
import { WorldError } from './wire.js';

/** One page of `items` starting at the token's offset; `next` is set when more remain. */
export function page<T>(items: T[], size: number | undefined, token: string | undefined, errorCode = 'InvalidNextToken'): { items: T[]; next?: string } {
  let offset = 0;
  if (token) {
    const decoded = decodeToken(token) as { o?: unknown } | undefined;
    if (!decoded || typeof decoded.o !== 'number' || decoded.o < 0) throw new WorldError(errorCode, 'The pagination token is invalid.');
    offset = decoded.o;
  }
  const n = size && size > 0 ? size : items.length;
  const slice = items.slice(offset, offset + n);
  const end = offset + slice.length;
  return end < items.length ? { items: slice, next: encodeToken({ o: end }) } : { items: slice };
}

export function tagList(tags: Record<string, string>): { Key: string; Value: string }[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

export interface Ec2Filter {
  Name?: string;
  Values?: string[];
}

/** EC2 filter semantics: every filter must match; any value of a filter may; `*` and `?` are wildcards. */
export function matchesFilters(filters: Ec2Filter[] | undefined, lookup: (name: string) => string[] | undefined): boolean {
  for (const f of filters ?? []) {
    const name = f.Name ?? '';
    const have = lookup(name);
    if (have === undefined) throw new WorldError('InvalidParameterValue', `The filter '${name}' is invalid`);
    const wanted = f.Values ?? [];
    if (!wanted.some((w) => have.some((h) => wildcard(w).test(h)))) return false;
  }
  return true;
}

function wildcard(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
}
