/**
 * Memoises `build` for the most recent key only. Fan-out hands one event to every subscriber of a
 * stream in a row, so one slot is enough for a frame to be encoded once per event rather than
 * once per subscriber, without a map that would need evicting.
 */
export function memoizeLast<K extends object, V>(build: (key: K) => V): (key: K) => V {
  let lastKey: K | undefined;
  let lastValue: V | undefined;
  return (key) => {
    if (key !== lastKey) {
      lastValue = build(key);
      lastKey = key;
    }
    return lastValue as V;
  };
}
