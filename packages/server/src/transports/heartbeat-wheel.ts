/**
 * Turns of the wheel per heartbeat interval: a connection idle for `intervalMs` gets its heartbeat
 * at most a sixteenth of an interval later (under 1 s of the 15 s default).
 */
const TURNS_PER_INTERVAL = 16;

/** A connection the wheel sends heartbeats to. */
export interface HeartbeatMember {
  /** The wheel's `turn` at this connection's last write. */
  readonly lastWriteTurn: number;
  /** Sends a heartbeat (which counts as a write). */
  heartbeat(): void;
}

/**
 * Heartbeats for every live connection of a server, WebSocket and SSE alike, from one interval timer (DESIGN: a heartbeat
 * every 15 s when idle). A timer per connection would stay allocated for the whole life of each
 * idle connection; here a connection only records the turn of its last write, which costs no
 * timer work on the delivery path either.
 */
export class HeartbeatWheel {
  #members = new Set<HeartbeatMember>();
  #turnMs: number;
  #turn = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(intervalMs: number) {
    this.#turnMs = Math.max(1, Math.floor(intervalMs / TURNS_PER_INTERVAL));
  }

  /** The current turn; a member stores it when it writes. */
  get turn(): number {
    return this.#turn;
  }

  /** Starts sending `member` heartbeats when it is idle. */
  add(member: HeartbeatMember): void {
    this.#members.add(member);
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.#advance(), this.#turnMs);
    // A heartbeat never keeps the process alive on its own.
    this.#timer.unref();
  }

  /** Stops sending `member` heartbeats (it closed); the timer stops with the last member. */
  delete(member: HeartbeatMember): void {
    this.#members.delete(member);
    if (this.#members.size > 0) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #advance(): void {
    this.#turn += 1;
    for (const member of this.#members) {
      if (this.#turn - member.lastWriteTurn >= TURNS_PER_INTERVAL) member.heartbeat();
    }
  }
}
