export type { StreamSnapshot } from '@herald/protocol';
export { CONNECTION_STATUS_LOOKS, ConnectionStatus, type ConnectionStatusProps } from './connection-status.js';
export { formatAge } from './format-age.js';
export {
  type HeraldContextValue,
  HeraldProvider,
  type HeraldProviderProps,
  useHeraldClient,
} from './herald-provider.js';
export type { HistoryFilters } from './http-reader.js';
export type { StreamListView } from './stream-list-store.js';
export type { StreamView } from './stream-store.js';
export { useConnectionStatus } from './use-connection-status.js';
export { type HistoryView, useHistory } from './use-history.js';
export { useNow } from './use-now.js';
export { useStream } from './use-stream.js';
export { useStreams } from './use-streams.js';
