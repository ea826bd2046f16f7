/**
 * Request bodies are UTF-8 or refused (`invalid_json`), on every route, as a WebSocket text frame
 * that is not UTF-8 is refused (1007): decoding bad bytes as U+FFFD would store data the client
 * never sent. A BOM is kept in the text and left to the JSON parser.
 */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The text of `bytes`, or undefined when they are not UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}
