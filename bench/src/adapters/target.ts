/** Where the server under test keeps its event log (peers without a log ignore it). */
export type StoreKind = 'memory' | 'sqlite' | 'postgres';

/** How a server process should start its target. */
export interface ServerOptions {
  store: StoreKind;
  /** Scratch directory for file-backed stores. */
  dataDir: string;
}

/** One running server under test, inside the server process. */
export interface BenchServer {
  /** Base URL clients connect to (`http://127.0.0.1:port`). */
  readonly url: string;
  /**
   * Publishes `dataJsons` (each the JSON text of one message's data) to `stream`, in order, as one
   * burst; resolves once every message has been handed to the fan-out (not necessarily delivered).
   */
  publish(stream: string, dataJsons: readonly string[]): Promise<void> | void;
  close(): Promise<void>;
}

/** Called once per delivered message with the mark the harness put into its data. */
export type MarkListener = (mark: Mark) => void;

/** The harness's fields inside each message's data: its index in the run and its publish time. */
export interface Mark {
  /** 0-based index of the message in the stream, in publish order. */
  n: number;
  /** Publish time, ms since the epoch with sub-ms precision (same clock in every process). */
  sentAtMs: number;
}

/** A benchmark target: one file per target under `src/adapters/`. */
export interface Target {
  /** Name used on the command line and in the table (`herald-ws`, `socketio`, …). */
  readonly name: string;
  /** The wire, for grouping a target with its peers. */
  readonly transport: 'websocket' | 'sse' | 'longpoll';
  /** Whether subscribers can resume from history (the catch-up scenario needs it). */
  readonly hasHistory: boolean;
  /** Starts the server; called in the server process. */
  startServer(options: ServerOptions): Promise<BenchServer>;
  /**
   * Opens one subscriber to `stream` from position `after` (targets without history start live);
   * called in a client process, whose exit closes it. Resolves once the subscriber is registered on
   * the server and caught up, so a message published afterwards reaches it.
   */
  subscribe(url: string, stream: string, after: number, onMark: MarkListener): Promise<void>;
}
