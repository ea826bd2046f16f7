import type { HistoryFilters } from '@herald/react';

/** The history form's fields, as typed (all strings; times as `datetime-local` values). */
export interface HistoryForm {
  stream: string;
  prefix: string;
  types: string;
  /** `key=value` pairs separated by commas: `batchId=b1, orgId=acme`. */
  tags: string;
  since: string;
  until: string;
  order: 'asc' | 'desc';
}

const PAGE_SIZE = 50;

function toLocalInput(iso: string | null): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

function toIso(local: string): string | undefined {
  if (!local) return undefined;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/**
 * The query parameters of the dashboard's own `#/history` URL (a bookmarkable form, not Herald's
 * wire: tags are `tag=K=V` here, `tag.K=V` on the API).
 */
const PAGE_PARAMS = {
  stream: 'stream',
  prefix: 'prefix',
  type: 'type',
  tag: 'tag',
  since: 'since',
  until: 'until',
  order: 'order',
} as const;

/** Reads the form from the URL's query (`#/history?stream=…&tag=batchId=b1`). */
export function formFromParams(params: URLSearchParams): HistoryForm {
  return {
    stream: params.get(PAGE_PARAMS.stream) ?? '',
    prefix: params.get(PAGE_PARAMS.prefix) ?? '',
    types: params.get(PAGE_PARAMS.type) ?? '',
    tags: params.getAll(PAGE_PARAMS.tag).join(', '),
    since: toLocalInput(params.get(PAGE_PARAMS.since)),
    until: toLocalInput(params.get(PAGE_PARAMS.until)),
    order: params.get(PAGE_PARAMS.order) === 'asc' ? 'asc' : 'desc',
  };
}

/** Writes the form as URL query parameters, leaving empty fields out. */
export function paramsFromForm(form: HistoryForm): URLSearchParams {
  const params = new URLSearchParams();
  if (form.stream.trim()) params.set(PAGE_PARAMS.stream, form.stream.trim());
  if (form.prefix.trim()) params.set(PAGE_PARAMS.prefix, form.prefix.trim());
  if (form.types.trim()) params.set(PAGE_PARAMS.type, form.types.replace(/\s+/g, ''));
  for (const pair of form.tags.split(',')) if (pair.includes('=')) params.append(PAGE_PARAMS.tag, pair.trim());
  const since = toIso(form.since);
  const until = toIso(form.until);
  if (since) params.set(PAGE_PARAMS.since, since);
  if (until) params.set(PAGE_PARAMS.until, until);
  params.set(PAGE_PARAMS.order, form.order);
  return params;
}

/** Turns URL query parameters into the query API's filters. */
export function filtersFromParams(params: URLSearchParams): HistoryFilters {
  const tags: Record<string, string> = {};
  for (const pair of params.getAll(PAGE_PARAMS.tag)) {
    const [key = '', ...value] = pair.split('=');
    if (key.trim()) tags[key.trim()] = value.join('=').trim();
  }
  const types = (params.get(PAGE_PARAMS.type) ?? '').split(',').filter(Boolean);
  return {
    ...(params.get(PAGE_PARAMS.stream) ? { stream: params.get(PAGE_PARAMS.stream) as string } : {}),
    ...(params.get(PAGE_PARAMS.prefix) ? { prefix: params.get(PAGE_PARAMS.prefix) as string } : {}),
    ...(types.length ? { types } : {}),
    ...(Object.keys(tags).length ? { tags } : {}),
    ...(params.get(PAGE_PARAMS.since) ? { since: params.get(PAGE_PARAMS.since) as string } : {}),
    ...(params.get(PAGE_PARAMS.until) ? { until: params.get(PAGE_PARAMS.until) as string } : {}),
    order: params.get(PAGE_PARAMS.order) === 'asc' ? 'asc' : 'desc',
    limit: PAGE_SIZE,
  };
}
