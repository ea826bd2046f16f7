/**
 * Bytes of events read from the log per query by a subscription's or a feed's catch-up, on top of
 * the count per page: a page is held until the connection has room for it (SubscriptionSink.ready), so a client
 * that stops reading costs the server one page and its send buffer, not the history it has yet to
 * read. Events of up to DEFAULT_MAX_PAYLOAD_BYTES (64 KiB) come two or more to a page; a bigger
 * one comes alone.
 */
export const CATCH_UP_PAGE_BYTES = 128 * 1024;

/**
 * What one page of a subscription's or a feed's catch-up came to: `done` (it reached the end, or
 * was closed), `more` to read, or a page cut short, to be read again once the client has `room`.
 */
export type PageOutcome = 'done' | 'more' | { room: Promise<void> };
