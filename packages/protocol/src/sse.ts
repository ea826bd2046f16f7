/** The SSE chunk for one event already serialised as JSON: `id: <seq>` and an unnamed data frame. */
export function encodeSseEvent(seq: number | string, eventJson: string): string {
  return `id: ${seq}\ndata: ${eventJson}\n\n`;
}

/** A named SSE control frame (`reset`, `final`, `live`). */
export function encodeSseControl(name: string, dataJson: string, id?: number | string): string {
  return id === undefined
    ? `event: ${name}\ndata: ${dataJson}\n\n`
    : `event: ${name}\nid: ${id}\ndata: ${dataJson}\n\n`;
}

/** The SSE heartbeat comment. */
export const SSE_HEARTBEAT = ': hb\n\n';
