import type { FeedStreamView } from '@herald/react';
import { type RunFacts, readRunFacts } from './format.js';
import { batchStreamOf } from './router.js';

/** One job of a batch as the batch page shows it. */
export interface BatchJob {
  stream: string;
  facts: RunFacts;
  final: boolean;
  lastEventTime: string;
  /** False when the feed did not carry the job from its first event, so its state may be partial. */
  isComplete: boolean;
}

/** A batch and its jobs, from the streams of the batch's feed. */
export interface BatchOverview {
  /** The batch stream's facts (name, status, jobs done of total); `open` before its first event. */
  facts: RunFacts;
  /** Every job seen, in the order its first event arrived (the order they started). */
  jobs: BatchJob[];
  /** Whether any stream's state (the batch's or a job's) may be partial. */
  isPartial: boolean;
}

/**
 * Reads a batch's feed (every event tagged with its `batchId`): the batch stream `batch:<id>`
 * gives the batch's name and counts; every other stream is one of its jobs.
 */
export function batchOverviewOf(batchId: string, streams: ReadonlyMap<string, FeedStreamView>): BatchOverview {
  const batchStream = batchStreamOf(batchId);
  const batch = streams.get(batchStream);
  const jobs: BatchJob[] = [];
  for (const view of streams.values()) {
    if (view.stream === batchStream) continue;
    const { stream, state, final, lastEventTime, isComplete } = view;
    jobs.push({ stream, facts: readRunFacts(state, final), final, lastEventTime, isComplete });
  }
  return {
    facts: readRunFacts(batch?.state ?? null, batch?.final ?? false),
    jobs,
    isPartial: (batch !== undefined && !batch.isComplete) || jobs.some((job) => !job.isComplete),
  };
}
