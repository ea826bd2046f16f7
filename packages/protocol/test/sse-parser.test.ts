import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type SseMessage, SseParser } from '../src/sse-parser.js';

function parseChunks(chunks: string[]): SseMessage[] {
  const parser = new SseParser();
  return chunks.flatMap((chunk) => parser.push(chunk));
}

function splitAt(text: string, cuts: number[]): string[] {
  const points = [...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort((a, b) => a - b);
  const chunks: string[] = [];
  let start = 0;
  for (const point of points) {
    chunks.push(text.slice(start, point));
    start = point;
  }
  chunks.push(text.slice(start));
  return chunks;
}

describe('SseParser', () => {
  it('parses id, event and multi-line data', () => {
    expect(parseChunks(['id: 7\nevent: reset\ndata: {"a":\ndata: 1}\n\n'])).toEqual([
      { id: '7', event: 'reset', data: '{"a":\n1}', retry: undefined },
    ]);
  });

  it('names an event without an event field "message" and keeps the last id', () => {
    expect(parseChunks(['id: 1\ndata: a\n\ndata: b\n\n'])).toEqual([
      { id: '1', event: 'message', data: 'a', retry: undefined },
      { id: '1', event: 'message', data: 'b', retry: undefined },
    ]);
  });

  it('ignores comments, unknown fields and blocks without data', () => {
    expect(parseChunks([': hb\n\nfoo: bar\n\nevent: x\n\ndata\n\n'])).toEqual([
      { id: '', event: 'message', data: '', retry: undefined },
    ]);
  });

  it('reports retry only when it is all digits', () => {
    expect(parseChunks(['retry: 2500\n\nretry: 1x\ndata: a\n\n'])).toEqual([
      { id: '', event: 'message', data: 'a', retry: 2500 },
    ]);
  });

  it('ignores an id containing NUL and strips one leading BOM', () => {
    expect(parseChunks(['\uFEFFid: 3\n\nid: a\0b\ndata: x\n\n'])).toEqual([
      { id: '3', event: 'message', data: 'x', retry: undefined },
    ]);
  });

  it('treats a CRLF split across chunks as one line end', () => {
    expect(parseChunks(['data: a\r', '\n\r', '\n'])).toEqual([
      { id: '', event: 'message', data: 'a', retry: undefined },
    ]);
  });

  it('drops an incomplete message at the end of the input', () => {
    expect(parseChunks(['data: a\n'])).toEqual([]);
  });

  it('yields the same messages for any line ending and any chunking', () => {
    const line = fc.stringMatching(/^[^\r\n]{0,12}$/);
    const message = fc.record({
      id: fc.stringMatching(/^[0-9]{1,3}$/),
      event: fc.constantFrom('', 'live', 'reset'),
      data: fc.array(line, { minLength: 1, maxLength: 3 }),
    });
    fc.assert(
      fc.property(
        fc.array(message, { maxLength: 6 }),
        fc.constantFrom('\n', '\r', '\r\n'),
        fc.array(fc.nat(), { maxLength: 8 }),
        (messages, eol, cuts) => {
          const text = messages
            .map(
              (m) =>
                `id: ${m.id}${eol}${m.event ? `event: ${m.event}${eol}` : ''}${m.data.map((d) => `data: ${d}${eol}`).join('')}${eol}`,
            )
            .join(`: hb${eol}`);
          const expected = messages.map((m) => ({
            id: m.id,
            event: m.event || 'message',
            data: m.data.join('\n'),
            retry: undefined,
          }));
          expect(parseChunks(splitAt(text, cuts))).toEqual(expected);
        },
      ),
    );
  });
});
