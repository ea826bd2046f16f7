import { assertStreamName } from '@herald/protocol';

/**
 * Stream names for GitHub deliveries. A stream name may not hold `/`, so `owner/repo` is written
 * `owner.repo`: GitHub logins never contain a dot, so the first dot always splits owner from repo.
 *
 *   gh:<owner>.<repo>:run:<run_id>                  a workflow run and its jobs (first attempt)
 *   gh:<owner>.<repo>:run:<run_id>:attempt:<n>      a re-run (run_attempt n ≥ 2): a new stream,
 *                                                   since the first attempt's stream is final
 *   gh:<owner>.<repo>:check:<check_run_id>          a check run
 *
 * `gh:<owner>.<repo>:` is the prefix of one repository's feed.
 */
export const GITHUB_STREAM_PREFIX = 'gh:';

/** The prefix of every stream of a repository, e.g. `gh:octo-org.octo-repo:`. */
export function repositoryPrefix(owner: string, repo: string): string {
  return `${GITHUB_STREAM_PREFIX}${owner}.${repo}:`;
}

/** The stream of one attempt of a workflow run. */
export function runStream(owner: string, repo: string, runId: string, attempt: number): string {
  const name = `${repositoryPrefix(owner, repo)}run:${runId}${attempt > 1 ? `:attempt:${attempt}` : ''}`;
  assertStreamName(name);
  return name;
}

/** The stream of one check run. */
export function checkRunStream(owner: string, repo: string, checkRunId: string): string {
  const name = `${repositoryPrefix(owner, repo)}check:${checkRunId}`;
  assertStreamName(name);
  return name;
}
