/**
 * The Cron Trigger handler (wrangler.toml `[triggers] crons`): runs every scheduled job, each on its own,
 * so one failing job neither stops the others nor hides their work. A job gets the scheduled time as its
 * clock (`controller.scheduledTime`), which tests control. Add a job by appending it to SCHEDULED_JOBS.
 */
import { loadConfig } from '../../src/config';
import { oauthContext } from '../wiring/services';
import { registrationSweepJob } from './registration-sweep';
import type { ScheduledJob } from './scheduled-job';

export type { ScheduledJob } from './scheduled-job';

/** Signing keys: pre-publish a successor when the active key is due, promote it once published long enough. */
export const keyRotationJob: ScheduledJob = {
  name: 'key_rotation',
  async run(env, _ctx, now) {
    const report = await env.KEY_RING.get(env.KEY_RING.idFromName('key-ring')).rotateIfDue(now);
    if (report.prepublished.length + report.promoted.length + report.retired.length > 0) {
      console.log(
        JSON.stringify({ level: 'info', msg: 'signing keys rotated', job: 'key_rotation', ...report }),
      );
    }
    return report;
  },
};

/**
 * The index of pending device authorizations (DeviceAuthorizationRecord, src/storage/ports.ts): rows whose
 * authorization expired unanswered are removed (approved and denied ones go when decided).
 */
export const deviceAuthorizationSweepJob: ScheduledJob = {
  name: 'device_authorization_sweep',
  async run(env, ctx, now) {
    const loaded = loadConfig(env);
    if (!loaded.ok) return 0;
    const { config } = loaded;
    const storage = oauthContext(env, config, config.publicUrl ?? 'http://localhost', ctx).storage;
    return storage.deviceAuthorizations.deleteExpired(now);
  },
};

export const SCHEDULED_JOBS: ScheduledJob[] = [
  keyRotationJob,
  registrationSweepJob,
  deviceAuthorizationSweepJob,
];

/** Runs every job (concurrently); answers the names of those that failed. */
export async function runScheduledJobs(
  controller: ScheduledController,
  env: Env,
  ctx: ExecutionContext,
  jobs: readonly ScheduledJob[] = SCHEDULED_JOBS,
): Promise<string[]> {
  if (!loadConfig(env).ok) {
    console.error(JSON.stringify({ level: 'error', msg: 'scheduled jobs skipped: server misconfigured' }));
    return jobs.map((job) => job.name);
  }
  const now = Math.floor(controller.scheduledTime / 1000);
  const outcomes = await Promise.allSettled(jobs.map((job) => job.run(env, ctx, now)));
  const failed: string[] = [];
  outcomes.forEach((outcome, i) => {
    if (outcome.status === 'fulfilled') return;
    const name = jobs[i]?.name ?? 'unknown';
    failed.push(name);
    const error = outcome.reason instanceof Error ? outcome.reason.name : 'unknown error';
    console.error(JSON.stringify({ level: 'error', msg: 'scheduled job failed', job: name, error }));
  });
  return failed;
}
