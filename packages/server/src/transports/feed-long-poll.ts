import { type FeedFilter, type FeedPage, HeraldError } from '@herald/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FeedListener, FeedWakeups } from '../fanout/feed-wakeups.js';
import type { PollPresence } from '../presence/poll-presence.js';
import type { LiveConnections } from './live-connections.js';
import { pollClientOf } from './poll-client.js';
import { sendFailure } from './send-failure.js';

/** What a feed long-poll works with. */
export interface FeedLongPollDeps {
  wakeups: Pick<FeedWakeups, 'add'>;
  live: Pick<LiveConnections, 'admit'>;
  maxLongPolls: number;
  longPollsWaiting: { inc(): void; dec(): void };
  /** A feed poller counts as a watcher of its feed's streams, and lingers between polls. */
  pollPresence: PollPresence;
}

/** One feed long-poll's request. */
export interface FeedPollRequest {
  filter: FeedFilter;
  /** The poller's name in presence (resolveWatcherName). */
  name: string | undefined;
  /** Longest hold, in ms (0: answer at once). */
  waitMs: number;
  /** Reads the page after the request's cursor (authorising again). */
  read(): Promise<FeedPage>;
  send(page: FeedPage): void;
}

/** A held poll's wake-up: registered before the first read, so a commit during that read is not missed. */
class FeedPollWake implements FeedListener {
  readonly filter: FeedFilter;
  isWoken = false;
  onWake: (() => void) | undefined;

  constructor(filter: FeedFilter) {
    this.filter = filter;
  }

  wake(): void {
    this.isWoken = true;
    this.onWake?.();
  }
}

/**
 * Feed long-polls (`GET /v1/events?wait=`): a page at once when one is ready, else the request is
 * held until a matching event commits (a wake-up from FeedWakeups whose read finds an event), its
 * wait ends, its client goes or the server stops; then the page after its cursor is sent. Held
 * polls count against the client's connection limit and the server's long-poll bound, like
 * per-stream long-polls, and count in presence as per-stream long-polls do: held or answered at
 * once, a poller watches its feed's streams (those of its answers) until one heartbeat interval
 * after its last answer.
 */
export class FeedLongPoll {
  #deps: FeedLongPollDeps;
  #held = new Set<() => void>();
  #isStopped = false;

  constructor(deps: FeedLongPollDeps) {
    this.#deps = deps;
  }

  async serve(request: FastifyRequest, reply: FastifyReply, poll: FeedPollRequest): Promise<void> {
    const held = this.#deps.pollPresence.holdFeed(pollClientOf(request), poll.filter, poll.name);
    const send = (page: FeedPage) => {
      for (const event of page.events) held.watching.delivered(event.stream);
      held.end();
      poll.send(page);
    };
    const wake = new FeedPollWake(poll.filter);
    const remove = this.#deps.wakeups.add(wake);
    let page: FeedPage;
    let release: () => void;
    try {
      page = await poll.read();
      const isAnswerNow = page.events.length > 0 || poll.waitMs === 0 || this.#isStopped;
      if (isAnswerNow) {
        remove();
        send(page);
        return;
      }
      release = this.#admit(request);
    } catch (error) {
      remove();
      held.end();
      throw error;
    }
    this.#deps.longPollsWaiting.inc();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let isOver = false;
    let isReading = false;
    const fail = (error: unknown) => {
      held.end();
      sendFailure(request, reply, error);
    };
    const finish = (answer: () => void) => {
      if (isOver) return;
      isOver = true;
      clearTimeout(timer);
      remove();
      release();
      this.#held.delete(end);
      this.#deps.longPollsWaiting.dec();
      if (reply.raw.destroyed) held.end();
      else answer();
    };
    // The wait is over (its time, the client gone, shutdown): the page after the cursor as it is now.
    const end = () => finish(() => poll.read().then(send, fail));
    // Woken: something the filter may match committed. An empty page holds on, as an idle poll
    // does: the wake-up judged only part of the filter, or was a resync timer's (FeedWakeups).
    const recheck = () => {
      if (isOver || isReading) return;
      isReading = true;
      wake.isWoken = false;
      poll.read().then(
        (next) => {
          isReading = false;
          if (next.events.length > 0) finish(() => send(next));
          else if (wake.isWoken) recheck();
        },
        (error: unknown) => {
          isReading = false;
          finish(() => fail(error));
        },
      );
    };
    this.#held.add(end);
    wake.onWake = recheck;
    timer = setTimeout(end, poll.waitMs);
    reply.raw.on('close', end);
    if (wake.isWoken) recheck();
  }

  /** Answers every held poll now, and every later one at once (shutdown). */
  stop(): void {
    this.#isStopped = true;
    for (const end of [...this.#held]) end();
  }

  #admit(request: FastifyRequest): () => void {
    const max = this.#deps.maxLongPolls;
    if (this.#held.size >= max) {
      throw new HeraldError('too_many_connections', `the server holds at most ${max} feed long-polls`, {
        details: { limit: max },
      });
    }
    return this.#deps.live.admit(request.ip);
  }
}
