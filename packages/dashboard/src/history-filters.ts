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

/** Reads the form from the URL's query (`#/history?stream=…&tag=batchId=b1`). */
export function formFromParams(params: URLSearchParams): HistoryForm {
  return {
    stream: params.get('stream') ?? '',
    prefix: params.get('prefix') ?? '',
    types: params.get('type') ?? '',
    tags: params.getAll('tag').join(', '),
    since: toLocalInput(params.get('since')),
    until: toLocalInput(params.get('until')),
    order: params.get('order') === 'asc' ? 'asc' : 'desc',
  };
}

/** Writes the form as URL query parameters, leaving empty fields out. */
export function paramsFromForm(form: HistoryForm): URLSearchParams {
  const params = new URLSearchParams();
  if (form.stream.trim()) params.set('stream', form.stream.trim());
  if (form.prefix.trim()) params.set('prefix', form.prefix.trim());
  if (form.types.trim()) params.set('type', form.types.replace(/\s+/g, ''));
  for (const pair of form.tags.split(',')) if (pair.includes('=')) params.append('tag', pair.trim());
  const since = toIso(form.since);
  const until = toIso(form.until);
  if (since) params.set('since', since);
  if (until) params.set('until', until);
  params.set('order', form.order);
  return params;
}

/** Turns URL query parameters into the query API's filters. */
export function filtersFromParams(params: URLSearchParams): HistoryFilters {
  const tags: Record<string, string> = {};
  for (const pair of params.getAll('tag')) {
    const [key = '', ...value] = pair.split('=');
    if (key.trim()) tags[key.trim()] = value.join('=').trim();
  }
  const types = (params.get('type') ?? '').split(',').filter(Boolean);
  return {
    ...(params.get('stream') ? { stream: params.get('stream') as string } : {}),
    ...(params.get('prefix') ? { prefix: params.get('prefix') as string } : {}),
    ...(types.length ? { types } : {}),
    ...(Object.keys(tags).length ? { tags } : {}),
    ...(params.get('since') ? { since: params.get('since') as string } : {}),
    ...(params.get('until') ? { until: params.get('until') as string } : {}),
    order: params.get('order') === 'asc' ? 'asc' : 'desc',
    limit: PAGE_SIZE,
  };
}
