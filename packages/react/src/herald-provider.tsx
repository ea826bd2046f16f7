import type { FetchFunction, HeraldClient } from '@herald/client';
import { HeraldError } from '@herald/protocol';
import { createContext, type ReactNode, useContext, useMemo } from 'react';
import { createHttpReader, type HttpReader } from './http-reader.js';

/** What the hooks read from the provider. */
export interface HeraldContextValue {
  client: HeraldClient;
  reader: HttpReader;
}

const HeraldContext = createContext<HeraldContextValue | null>(null);

/** Props of `HeraldProvider`. */
export interface HeraldProviderProps {
  /** The client every hook subscribes through. Create it once, outside render (e.g. at module level). */
  client: HeraldClient;
  /** Server base URL for the stream-list and history reads (default: the page's own origin). */
  url?: string;
  /** Bearer token for those reads (sent as `?token=` where a header cannot be set). */
  token?: string;
  /** fetch for those reads (default `globalThis.fetch`). */
  fetch?: FetchFunction;
  /** EventSource for watching stream lists (default `globalThis.EventSource`; without one, lists are polled). */
  EventSource?: typeof EventSource;
  children?: ReactNode;
}

/** Makes a Herald client available to the hooks below it. */
export function HeraldProvider(props: HeraldProviderProps): ReactNode {
  const { client, url = '', token, fetch, EventSource, children } = props;
  const value = useMemo(
    () => ({ client, reader: createHttpReader({ url, token, fetch, EventSource }) }),
    [client, url, token, fetch, EventSource],
  );
  return <HeraldContext.Provider value={value}>{children}</HeraldContext.Provider>;
}

/** The provider's client and reader; throws when used outside a `HeraldProvider`. */
export function useHeraldContext(): HeraldContextValue {
  const value = useContext(HeraldContext);
  if (!value) throw new HeraldError('invalid_request', 'Herald hooks must be used inside <HeraldProvider>');
  return value;
}

/** The client of the nearest `HeraldProvider`. */
export function useHeraldClient(): HeraldClient {
  return useHeraldContext().client;
}
