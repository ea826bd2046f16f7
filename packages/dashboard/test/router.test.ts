import { describe, expect, it } from 'vitest';
import { hrefOf, parseRoute, routeOfStream } from '../src/router.js';

describe('the batch page route', () => {
  it('maps #/batches/<id> to the batch page and back', () => {
    expect(parseRoute('#/batches/b%3A1')).toEqual({ page: 'batch', batchId: 'b:1' });
    expect(hrefOf({ page: 'batch', batchId: 'b:1' })).toBe('#/batches/b%3A1');
  });

  it('keeps #/batches as the grid of batch streams', () => {
    expect(parseRoute('#/batches')).toEqual({ page: 'runs', prefix: 'batch:' });
  });

  it('opens a batch stream on its batch page and any other stream on its run page', () => {
    expect(routeOfStream('batch:b1')).toEqual({ page: 'batch', batchId: 'b1' });
    expect(routeOfStream('run:j1')).toEqual({ page: 'stream', stream: 'run:j1' });
    expect(routeOfStream('gh:octo.repo:run:1')).toEqual({ page: 'stream', stream: 'gh:octo.repo:run:1' });
  });
});
