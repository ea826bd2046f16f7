export type {
  FeedEvent,
  FeedFilter,
  FeedPage,
  HeraldEvent,
  HistoryPage,
  JsonValue,
  PublishResult,
  StreamListPage,
  StreamSnapshot,
} from '@herald/protocol';
export { HeraldError, isHeraldError } from '@herald/protocol';
export { createClient } from './client.js';
export type {
  ClientEvents,
  ClientOptions,
  ClientStats,
  ConnectionStatus,
  Feed,
  FeedEvents,
  FetchFunction,
  FollowOptions,
  HeraldClient,
  HistoryQuery,
  PendingEvent,
  PublishInput,
  PublishOptions,
  ReadOptions,
  StreamList,
  StreamListQuery,
  SubscribeOptions,
  Subscription,
  SubscriptionSnapshot,
  SubscriptionStatus,
  TransportKind,
  WebSocketConstructor,
  WebSocketLike,
} from './types.js';
export { TRANSPORT_ORDER } from './types.js';
