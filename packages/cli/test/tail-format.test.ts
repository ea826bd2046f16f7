import { stripVTControlCharacters } from 'node:util';
import type { HeraldEvent } from '@herald/protocol';
import { describe, expect, it } from 'vitest';
import { createPrettyFormatter, describeStatePatch, formatEventJson } from '../src/tail-format.js';

const event: HeraldEvent = {
  stream: 'run:42',
  seq: 7,
  id: 'e7',
  type: 'job_progress',
  time: '2026-12-06T04:05:06.789Z',
  state: { progress: 40, step: { name: 'fetch', attempt: 2 }, error: null },
};

describe('describeStatePatch', () => {
  it('lists changed keys as key=value, nested keys dotted and removals as -key', () => {
    expect(describeStatePatch(event.state)).toEqual(['progress=40', 'step.name="fetch"', 'step.attempt=2', '-error']);
  });

  it('shows arrays and a whole-document replacement as JSON', () => {
    expect(describeStatePatch({ jobs: [1, 2] })).toEqual(['jobs=[1,2]']);
    expect(describeStatePatch('done')).toEqual(['state="done"']);
    expect(describeStatePatch(undefined)).toEqual([]);
  });
});

describe('formatters', () => {
  it('prints JSON lines exactly as the event came', () => {
    expect(JSON.parse(formatEventJson(event))).toEqual(event);
  });

  it('aligns seq and type in columns, with the UTC clock time', () => {
    const line = createPrettyFormatter({ color: false })(event);
    expect(line).toBe(
      '     7  04:05:06.789  job_progress          progress=40  step.name="fetch"  step.attempt=2  -error',
    );
  });

  it('marks a final event and colours only when asked', () => {
    const final = { ...event, state: undefined, final: true } as HeraldEvent;
    expect(createPrettyFormatter({ color: false })(final)).toMatch(/job_progress {10}final$/);
    const coloured = createPrettyFormatter({ color: true })(final);
    expect(coloured).toContain('\u001b[');
    expect(stripVTControlCharacters(coloured)).toBe(createPrettyFormatter({ color: false })(final));
  });
});
