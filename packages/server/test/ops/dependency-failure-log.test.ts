import { HeraldError } from '@herald/protocol';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { DependencyFailureLog } from '../../src/ops/dependency-failure-log.js';

function capturingLog(intervalMs: number, now: () => number) {
  const lines: Record<string, unknown>[] = [];
  const app = Fastify({ logger: { level: 'info', stream: { write: (line: string) => lines.push(JSON.parse(line)) } } });
  return { lines, log: new DependencyFailureLog(app.log, intervalMs, now) };
}

const refused = () =>
  new HeraldError('unavailable', 'PostgreSQL cannot be reached', {
    cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
  });

describe('DependencyFailureLog', () => {
  it('logs a cause once per interval, then with the count it suppressed', () => {
    let nowMs = 0;
    const { lines, log } = capturingLog(10_000, () => nowMs);
    for (let n = 0; n < 50; n++) log.report(refused(), 'POST /v1/streams/:stream/events');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, cause: 'PostgreSQL cannot be reached (ECONNREFUSED)', suppressed: 0 });
    nowMs = 10_000;
    log.report(refused(), 'GET /v1/streams/:stream');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ suppressed: 49, where: 'GET /v1/streams/:stream' });
  });

  it('keeps causes apart', () => {
    const { lines, log } = capturingLog(10_000, () => 0);
    log.report(refused(), 'a');
    log.report(new HeraldError('unavailable', 'could not verify the token'), 'b');
    expect(lines.map((line) => line.cause)).toEqual([
      'PostgreSQL cannot be reached (ECONNREFUSED)',
      'could not verify the token (none)',
    ]);
  });

  it('ignores errors that are not dependency failures', () => {
    const { lines, log } = capturingLog(10_000, () => 0);
    log.report(new HeraldError('forbidden', 'no'), 'a');
    log.report(new Error('boom'), 'a');
    expect(lines).toEqual([]);
  });
});
