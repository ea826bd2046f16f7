import type { HeraldClient } from '@herald/client';
import { HeraldError } from '@herald/protocol';
import { createContext, type ReactNode, useContext } from 'react';

const HeraldContext = createContext<HeraldClient | null>(null);

/** Props of `HeraldProvider`. */
export interface HeraldProviderProps {
  /** The client every hook reads through. Create it once, outside render (e.g. at module level). */
  client: HeraldClient;
  children?: ReactNode;
}

/** Makes a Herald client available to the hooks below it. */
export function HeraldProvider({ client, children }: HeraldProviderProps): ReactNode {
  return <HeraldContext.Provider value={client}>{children}</HeraldContext.Provider>;
}

/** The client of the nearest `HeraldProvider`; throws when used outside one. */
export function useHeraldClient(): HeraldClient {
  const client = useContext(HeraldContext);
  if (!client) throw new HeraldError('invalid_request', 'Herald hooks must be used inside <HeraldProvider>');
  return client;
}
