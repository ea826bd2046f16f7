import type { JsonValue } from './event.js';

type JsonObject = { [key: string]: JsonValue };

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Sets an own member, even one named `__proto__` (plain assignment would change the prototype). */
function setMember(object: JsonObject, key: string, value: JsonValue): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

function hasMember(object: JsonObject, key: string): boolean {
  return Object.hasOwn(object, key);
}

/** Deep equality of JSON values (object member order does not matter; `undefined` equals only itself). */
export function isJsonEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a))
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => isJsonEqual(item, b[i]));
  if (!isObject(a) || !isObject(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => hasMember(b, key) && isJsonEqual(a[key], b[key]));
}

/**
 * Applies a Herald state patch to `target` and returns the result; neither argument is modified.
 * A state patch is a JSON Merge Patch (RFC 7396) in which an array of objects with an `id` may be
 * patched per element (an element patch, see `ELEMENT_PATCH_KEYS` and docs/protocol.md "State
 * patches"). Shared by the server (stream state) and the client (state reducer, optimistic state),
 * so both compute the same document.
 */
export function applyMergePatch(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (!isObject(patch)) return patch;
  if (isElementPatch(patch)) return applyElementPatch(target, patch);
  const result: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else setMember(result, key, applyMergePatch(hasMember(result, key) ? result[key] : undefined, value));
  }
  return result;
}

/**
 * The state patch that turns `from` into `to`, or `undefined` when they are equal:
 * `applyMergePatch(from, createMergePatch(from, to))` equals `to`. Removed members become `null`;
 * scalars and arrays are replaced whole, except an array of objects with unique `id`s that
 * replaces another such array: it gets an element patch carrying only the elements that changed,
 * so one changed workflow in a list of 50 does not resend the other 49.
 * A merge patch cannot set an object member to `null` either (`null` deletes), so a `null` member
 * of `to` reads as "absent": the member is deleted from `from` if it holds a value, else left out
 * (elements of an id array are objects patched the same way). Nulls inside other arrays are kept,
 * because those arrays are replaced whole.
 */
export function createMergePatch(from: JsonValue | undefined, to: JsonValue): JsonValue | undefined {
  const isElementChange = isIdArray(from) && from.length > 0 && isIdArray(to);
  if (isElementChange) return createElementPatch(from, to);
  if (!isObject(from) || !isObject(to)) return isJsonEqual(from, to) ? undefined : to;
  const patch: JsonObject = {};
  for (const key of Object.keys(from)) {
    const isRemoved = !hasMember(to, key) || (to[key] === null && from[key] !== null);
    if (isRemoved) setMember(patch, key, null);
  }
  for (const [key, value] of Object.entries(to)) {
    if (value === null) continue;
    const change = createMergePatch(hasMember(from, key) ? from[key] : undefined, value);
    if (change !== undefined) setMember(patch, key, change);
  }
  return Object.keys(patch).length === 0 ? undefined : patch;
}

/** An element of an id array: an object whose `id` is a string or a number. */
type IdElement = JsonObject & { id: string | number };
type ElementId = string | number;

/**
 * The members of an element patch, `{"$elements": [...], "$order"?: [...]}`: `$elements` holds one
 * merge patch per changed or added element, each carrying the element's `id`; `$order`, present
 * when ids were added, removed or moved, lists every id of the new array in order. Without
 * `$order` the array keeps its order and new ids go at its end. An object with other members, or
 * whose `$elements` is not a list of objects with ids, is an ordinary merge patch.
 */
export const ELEMENT_PATCH_KEYS = { elements: '$elements', order: '$order' } as const;

type ElementPatch = { $elements: IdElement[]; $order?: ElementId[] };

function isElementId(value: unknown): value is ElementId {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

function isIdElement(value: unknown): value is IdElement {
  return isObject(value) && isElementId(value.id);
}

/** Whether `value` is an array of objects with unique ids (an empty array is one). */
function isIdArray(value: JsonValue | undefined): value is IdElement[] {
  if (!Array.isArray(value) || !value.every(isIdElement)) return false;
  return new Set(value.map((element) => element.id)).size === value.length;
}

function isElementPatch(patch: JsonObject): patch is ElementPatch {
  const keys = Object.keys(patch);
  const hasOnlyPatchKeys = keys.every((key) => key === ELEMENT_PATCH_KEYS.elements || key === ELEMENT_PATCH_KEYS.order);
  const order = patch[ELEMENT_PATCH_KEYS.order];
  const isOrderValid = order === undefined || (Array.isArray(order) && order.every(isElementId));
  const elements = patch[ELEMENT_PATCH_KEYS.elements];
  return hasOnlyPatchKeys && isOrderValid && Array.isArray(elements) && elements.every(isIdElement);
}

function applyElementPatch(target: JsonValue | undefined, patch: ElementPatch): JsonValue {
  // A target that is not an id array (absent, replaced meanwhile) reads as empty: the patch then
  // builds the array from its own elements, the same way on every side.
  const current = isIdArray(target) ? target : [];
  const byId = new Map<ElementId, JsonValue>(current.map((element) => [element.id, element]));
  // Ids are unique in an id array: an `$order` naming one twice keeps its first place, so no
  // patch can make the array something later patches would no longer read as an id array.
  const order: ElementId[] = [...new Set(patch.$order ?? current.map((element) => element.id))];
  for (const change of patch.$elements) {
    if (patch.$order === undefined && !byId.has(change.id)) order.push(change.id);
    byId.set(change.id, applyMergePatch(byId.get(change.id), change));
  }
  return order.flatMap((id) => {
    const element = byId.get(id);
    return element === undefined ? [] : [element];
  });
}

function createElementPatch(from: IdElement[], to: IdElement[]): JsonValue | undefined {
  const before = new Map<ElementId, IdElement>(from.map((element) => [element.id, element]));
  const changes: JsonValue[] = [];
  for (const element of to) {
    const change = createMergePatch(before.get(element.id), element);
    // The id is kept in every change: it says which element the change is for.
    if (change !== undefined) changes.push(isObject(change) ? { ...change, id: element.id } : change);
  }
  const isSameOrder = from.length === to.length && from.every((element, i) => element.id === to[i]?.id);
  if (changes.length === 0 && isSameOrder) return undefined;
  const patch: JsonObject = { [ELEMENT_PATCH_KEYS.elements]: changes };
  if (!isSameOrder) patch[ELEMENT_PATCH_KEYS.order] = to.map((element) => element.id);
  return patch;
}
