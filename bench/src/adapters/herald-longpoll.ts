import { Agent, request } from 'node:http';
import { startHeraldServer } from './herald-server.js';
import type { MarkListener, Target } from './target.js';

/** The server holds a waiting poll this long; the idle-memory scenario measures such held polls. */
const LONG_POLL_WAIT_SECONDS = 30;
const PAGE_LIMIT = 1000;

interface EventsPage {
  events: { seq: number; data?: { n?: number; t?: number } }[];
  hasMore: boolean;
}

// One keep-alive socket per waiting poll, reused by that subscriber's next poll.
const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });

function getPage(url: string): Promise<EventsPage> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () =>
        res.statusCode === 200 ? resolve(JSON.parse(body) as EventsPage) : reject(new Error(`poll ${res.statusCode}`)),
      );
    });
    req.once('error', reject);
    req.end();
  });
}

/** Polls until the client process exits: catch-up pages first, then one held poll after another. */
async function pollLoop(eventsUrl: string, after: number, onMark: MarkListener, onCaughtUp: () => void) {
  let position = after;
  let isCaughtUp = false;
  for (;;) {
    // The catch-up pages are fetched without waiting; only a caught-up subscriber parks a poll.
    const wait = isCaughtUp ? LONG_POLL_WAIT_SECONDS : 0;
    const page = await getPage(`${eventsUrl}?after=${position}&limit=${PAGE_LIMIT}&wait=${wait}`);
    for (const event of page.events) {
      if (event.data?.n !== undefined && event.data.t !== undefined)
        onMark({ n: event.data.n, sentAtMs: event.data.t });
      position = event.seq;
    }
    if (!page.hasMore && !isCaughtUp) {
      isCaughtUp = true;
      onCaughtUp();
    }
  }
}

/** Herald over HTTP long-polling (`events?after=&wait=`), caught up once a page has no more. */
export const heraldLongPollTarget: Target = {
  name: 'herald-longpoll',
  transport: 'longpoll',
  hasHistory: true,
  startServer: startHeraldServer,
  subscribe(url, stream, after, onMark) {
    return new Promise<void>((resolve, reject) => {
      const eventsUrl = `${url}/v1/streams/${encodeURIComponent(stream)}/events`;
      pollLoop(eventsUrl, after, onMark, resolve).catch(reject);
    });
  },
};
