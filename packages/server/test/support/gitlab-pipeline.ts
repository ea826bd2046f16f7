/**
 * GitLab "Pipeline Hook" payloads, in the shape GitLab documents for pipeline events (object_kind,
 * object_attributes, project, builds, …), trimmed to the fields a mapping is likely to read.
 */

/** The status of a GitLab pipeline or job. */
export type GitlabStatus = 'created' | 'pending' | 'running' | 'success' | 'failed' | 'canceled' | 'skipped';

/** A pipeline event for pipeline 31 of project 1 (`gitlab-org/gitlab-test`) on `main`. */
export function gitlabPipelineEvent(
  status: GitlabStatus,
  builds: { id: number; name: string; status: GitlabStatus }[],
) {
  return {
    object_kind: 'pipeline',
    object_attributes: {
      id: 31,
      iid: 3,
      name: 'Pipeline for branch: main',
      ref: 'main',
      tag: false,
      sha: 'bcbb5ec396a2c0f828686f14fac9b80b780504f2',
      before_sha: 'bcbb5ec396a2c0f828686f14fac9b80b780504f2',
      source: 'push',
      status,
      detailed_status: status === 'success' ? 'passed' : status,
      stages: ['build', 'test', 'deploy'],
      created_at: '2016-08-12 15:23:28 UTC',
      finished_at: status === 'success' || status === 'failed' ? '2016-08-12 15:26:29 UTC' : null,
      duration: status === 'success' || status === 'failed' ? 63 : null,
      queued_duration: 12,
      url: 'http://example.com/gitlab-org/gitlab-test/-/pipelines/31',
      variables: [],
    },
    user: { id: 1, name: 'Administrator', username: 'root', email: 'user_email@gitlab.com' },
    project: {
      id: 1,
      name: 'Gitlab Test',
      namespace: 'Gitlab Org',
      path_with_namespace: 'gitlab-org/gitlab-test',
      default_branch: 'main',
      web_url: 'http://example.com/gitlab-org/gitlab-test',
      visibility_level: 20,
    },
    commit: {
      id: 'bcbb5ec396a2c0f828686f14fac9b80b780504f2',
      message: 'test\n',
      timestamp: '2016-08-12T17:23:21+02:00',
      url: 'http://example.com/gitlab-org/gitlab-test/commit/bcbb5ec396a2c0f828686f14fac9b80b780504f2',
      author: { name: 'User', email: 'user@gitlab.com' },
    },
    builds: builds.map((build) => ({
      id: build.id,
      stage: build.name.split(':')[0],
      name: build.name,
      status: build.status,
      created_at: '2016-08-12 15:23:28 UTC',
      started_at: build.status === 'created' || build.status === 'pending' ? null : '2016-08-12 15:24:00 UTC',
      finished_at: build.status === 'success' || build.status === 'failed' ? '2016-08-12 15:26:00 UTC' : null,
      when: 'on_success',
      manual: false,
      allow_failure: false,
      runner: null,
      artifacts_file: { filename: null, size: null },
      environment: null,
    })),
  };
}
