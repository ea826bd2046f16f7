export type { HeraldEvent, JsonValue, PublishResult } from '@herald/protocol';
export { HeraldError, isHeraldError } from '@herald/protocol';
export { createClient } from './client.js';
export type {
  ClientEvents,
  ClientOptions,
  ClientStats,
  ConnectionStatus,
  FetchFunction,
  HeraldClient,
  PendingEvent,
  PublishInput,
  PublishOptions,
  SubscribeOptions,
  Subscription,
  SubscriptionSnapshot,
  SubscriptionStatus,
  TransportKind,
  WebSocketConstructor,
  WebSocketLike,
} from './types.js';
export { TRANSPORT_ORDER } from './types.js';
