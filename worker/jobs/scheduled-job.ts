/** One job of the Cron Trigger handler (worker/jobs/scheduled.ts), apart so a job's module need not import the handler. */
export interface ScheduledJob {
  /** For the log line of a failure. */
  readonly name: string;
  /** `now`: the scheduled time, epoch seconds. Throws to report a failure (logged, never rethrown). */
  run(env: Env, ctx: ExecutionContext, now: number): Promise<unknown>;
}
