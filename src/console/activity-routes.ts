import type { Queue } from 'bullmq';
import { Router } from 'express';
import type { Registry } from 'prom-client';
import { localeOf, requireSection, viewerOf } from './console-auth.ts';
import type { ConsoleDeps } from './console-deps.ts';
import { renderActivityPage, type ActivityData } from './pages/activity-page.ts';

const RECENT_FAILURES = 10;
const HOUR_MS = 3600_000;

async function counterValues(metrics: Registry, name: string): Promise<ActivityData['outcomes']> {
  const metric = metrics.getSingleMetric(name);
  if (!metric) return [];
  const { values } = await metric.get();
  return values.filter((v) => v.value > 0).map((v) => ({ labels: { ...v.labels } as Record<string, string | number>, value: v.value }));
}

/** The latest failed send jobs of every stream, newest first. */
async function recentFailures(queues: Iterable<Queue>): Promise<ActivityData['failures']> {
  const failed = (await Promise.all([...queues].map((queue) => queue.getFailed(0, RECENT_FAILURES - 1)))).flat().filter((job) => job !== undefined);
  return failed
    .sort((a, b) => (b.finishedOn ?? 0) - (a.finishedOn ?? 0))
    .slice(0, RECENT_FAILURES)
    .map((job) => ({ id: String(job.id ?? ''), reason: job.failedReason ?? '', at: job.finishedOn ? new Date(job.finishedOn).toISOString() : '' }));
}

/** Each stream (queue depth, relay, limits, back-off), outcomes of the last hour and the latest bounces (database, all processes), this process's counters, the latest failed send jobs. */
export function activityRoutes(deps: ConsoleDeps): Router {
  const router = Router();
  router.get('/activity', requireSection('activity'), async (req, res) => {
    const [streams, lastHour, bounces, outcomes, feedback, failures] = await Promise.all([
      deps.streams(),
      deps.messages.outcomesSince(new Date(Date.now() - HOUR_MS)),
      deps.messages.recentFeedback(RECENT_FAILURES),
      counterValues(deps.metrics, 'mailgate_messages_total'),
      counterValues(deps.metrics, 'mailgate_feedback_events_total'),
      recentFailures(deps.sendQueues.values()),
    ]);
    res.type('html').send(renderActivityPage({ locale: localeOf(res), viewer: viewerOf(deps.csrf, req, res), data: { streams, lastHour, bounces: bounces.map((b) => ({ id: b.messageId, type: b.type, at: b.at.toISOString(), detail: [b.statusCode, b.diagnostic].filter(Boolean).join(' ') })), outcomes, feedback, failures } }));
  });
  return router;
}
