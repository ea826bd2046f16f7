import type { ConnectionStatus } from '@herald/client';
import { useCallback, useSyncExternalStore } from 'react';
import { useHeraldClient } from './herald-provider.js';

/** The client's connection status: `connecting`, `live`, `polling`, `reconnecting` or `offline`. */
export function useConnectionStatus(): ConnectionStatus {
  const client = useHeraldClient();
  const subscribe = useCallback((listener: () => void) => client.on('status', listener), [client]);
  const getStatus = () => client.status;
  return useSyncExternalStore(subscribe, getStatus, getStatus);
}
