import { describe, expect, it } from 'vitest';
import { readRunFacts } from '../src/format.js';
import { hrefOf, parseRoute } from '../src/router.js';

// A run stream's state as the GitHub ingest writes it (gh:<owner>.<repo>:run:<id>).
const githubRun = {
  repo: 'octo-org/octo-repo',
  runId: '42',
  name: 'CI',
  status: 'in_progress',
  jobs: {
    '1': { name: 'lint', status: 'completed', conclusion: 'success', steps: [] },
    '2': {
      name: 'test',
      status: 'in_progress',
      steps: [
        { number: 1, name: 'Set up job', status: 'completed', conclusion: 'success' },
        { number: 2, name: 'Run tests', status: 'in_progress', conclusion: null },
      ],
    },
  },
};

describe('readRunFacts on a GitHub Actions run', () => {
  it('reads an in_progress run as running, with done jobs as progress and the running step', () => {
    expect(readRunFacts(githubRun, false)).toMatchObject({
      name: 'CI',
      status: 'running',
      progress: 50,
      step: 'test: Run tests',
    });
  });

  it('reads a completed run by its conclusion: success as completed, anything else as failed', () => {
    expect(readRunFacts({ ...githubRun, status: 'completed', conclusion: 'success' }, true).status).toBe('completed');
    expect(readRunFacts({ ...githubRun, status: 'completed', conclusion: 'timed_out' }, true).status).toBe('failed');
  });

  it('leaves the demo vocabulary as it is', () => {
    expect(readRunFacts({ status: 'retrying', progress: 40, step: 'Building' }, false)).toMatchObject({
      status: 'retrying',
      progress: 40,
      step: 'Building',
    });
  });
});

describe('the GitHub grid route', () => {
  it('maps #/github to the gh: prefix and back', () => {
    expect(parseRoute('#/github')).toEqual({ page: 'runs', prefix: 'gh:' });
    expect(hrefOf({ page: 'runs', prefix: 'gh:' })).toBe('#/github');
  });
});
