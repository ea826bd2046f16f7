import type { JsonValue } from '../../src/event.js';
import { applyMergePatch, createMergePatch } from '../../src/merge-patch.js';

/** `from` with the patch that turns it into `to` applied: what a subscriber's state becomes. */
export function patchedFrom(from: JsonValue, to: JsonValue): JsonValue {
  const patch = createMergePatch(from, to);
  return patch === undefined ? from : applyMergePatch(from, patch);
}
