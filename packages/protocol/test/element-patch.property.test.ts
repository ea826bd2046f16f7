import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../src/event.js';
import { applyMergePatch, createMergePatch, ELEMENT_PATCH_KEYS } from '../src/merge-patch.js';
import { patchedFrom } from './support/patched-from.js';

type Element = { id: string | number; [key: string]: JsonValue };

/** Values without null object members: the documents a state patch expresses exactly. */
const leafArb: fc.Arbitrary<JsonValue> = fc.oneof(
  fc.integer({ min: -5, max: 5 }),
  fc.constantFrom('queued', 'running', 'done', ''),
  fc.boolean(),
  fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }),
);
const elementArb = (id: string | number): fc.Arbitrary<Element> =>
  fc
    .dictionary(fc.constantFrom('status', 'progress', 'step', 'meta'), leafArb, { maxKeys: 4 })
    .map((members) => ({ ...members, id }));
/** An id array drawn from a small pool of ids (some numeric), so that documents share elements. */
const idArrayArb: fc.Arbitrary<Element[]> = fc
  .uniqueArray(fc.constantFrom<string | number>('w1', 'w2', 'w3', 'w4', 'w5', 1, 2, 3), { maxLength: 6 })
  .chain((ids) => fc.tuple(...ids.map(elementArb)));
const documentArb: fc.Arbitrary<JsonValue> = fc.oneof(
  idArrayArb,
  fc.record({ workflows: idArrayArb, title: leafArb }, { requiredKeys: [] }),
  fc.record({ batch: fc.record({ jobs: idArrayArb, total: leafArb }, { requiredKeys: [] }) }, { requiredKeys: [] }),
);

/** `from` with some elements of its id arrays changed, dropped, added or moved: the next document. */
const nextOfArb = (from: JsonValue): fc.Arbitrary<JsonValue> => fc.oneof(documentArb, fc.constant(from));

describe('element patches of id arrays', () => {
  it('turn any document with id arrays into any other', () => {
    fc.assert(
      fc.property(
        documentArb.chain((from) => fc.tuple(fc.constant(from), nextOfArb(from))),
        ([from, to]) => {
          expect(patchedFrom(from, to)).toEqual(to);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('survive a JSON round trip, as the log stores and the wire carries them', () => {
    fc.assert(
      fc.property(documentArb, documentArb, (from, to) => {
        const patch = createMergePatch(from, to);
        if (patch === undefined) return;
        expect(applyMergePatch(from, JSON.parse(JSON.stringify(patch)) as JsonValue)).toEqual(to);
      }),
    );
  });

  it('carry only the changed element of a list of 50', () => {
    const workflows = Array.from({ length: 50 }, (_, i) => ({ id: `w${i}`, status: 'running', progress: i }));
    const next = workflows.map((workflow) => (workflow.id === 'w17' ? { ...workflow, status: 'done' } : workflow));
    const patch = createMergePatch({ workflows }, { workflows: next });
    expect(patch).toEqual({ workflows: { [ELEMENT_PATCH_KEYS.elements]: [{ id: 'w17', status: 'done' }] } });
    expect(applyMergePatch({ workflows }, patch as JsonValue)).toEqual({ workflows: next });
  });

  it('keeps ids unique when an $order names one twice, so later element patches still apply', () => {
    const twice = applyMergePatch(
      {
        w: [
          { id: 'a', s: 1 },
          { id: 'c', s: 1 },
        ],
      },
      { w: { $elements: [], $order: ['a', 'a', 'c'] } },
    );
    expect(twice).toEqual({
      w: [
        { id: 'a', s: 1 },
        { id: 'c', s: 1 },
      ],
    });
    expect(applyMergePatch(twice, { w: { $elements: [{ id: 'a', s: 2 }] } })).toEqual({
      w: [
        { id: 'a', s: 2 },
        { id: 'c', s: 1 },
      ],
    });
  });

  it('lists the new order only when ids were added, removed or moved', () => {
    const from = [
      { id: 1, n: 1 },
      { id: 2, n: 2 },
    ];
    expect(createMergePatch(from, [{ id: 2, n: 2 }, { id: 3 }])).toEqual({
      [ELEMENT_PATCH_KEYS.elements]: [{ id: 3 }],
      [ELEMENT_PATCH_KEYS.order]: [2, 3],
    });
    expect(
      createMergePatch(from, [
        { id: 2, n: 2 },
        { id: 1, n: 1 },
      ]),
    ).toEqual({
      [ELEMENT_PATCH_KEYS.elements]: [],
      [ELEMENT_PATCH_KEYS.order]: [2, 1],
    });
  });

  it('replaces arrays whose ids repeat or are missing whole', () => {
    expect(createMergePatch([{ id: 1 }, { id: 1, x: 1 }], [{ id: 1 }, { id: 1, x: 2 }])).toEqual([
      { id: 1 },
      { id: 1, x: 2 },
    ]);
    expect(createMergePatch([{ id: 1 }, { name: 'a' }], [{ id: 1 }, { name: 'b' }])).toEqual([
      { id: 1 },
      { name: 'b' },
    ]);
  });

  it('builds the array from the patch when the target holds no id array', () => {
    const patch = { [ELEMENT_PATCH_KEYS.elements]: [{ id: 'a', x: 1 }] };
    expect(applyMergePatch({ list: 'text' }, { list: patch })).toEqual({ list: [{ id: 'a', x: 1 }] });
  });
});
