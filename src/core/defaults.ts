// Every operational default in one place.

export const DEFAULTS = {
  instance: 'default',
  runOnHost: 'localhost',
  dayOfWeek: '1111111',
  /** First tid handed out when a definition omits it. */
  firstTid: 1000001,
  firstGid: 5000001,
  retryDelaySeconds: 10,
  /** Cap for the doubling retry delay. */
  retryDelayCapSeconds: 3600,
  catchUp: 'latest' as const,
  overlap: 'skip' as const,
  /** Seconds between SIGTERM and SIGKILL when a run times out or is terminated. */
  killGraceSeconds: 10,
  /** Seconds the daemon lets running attempts finish on shutdown. */
  shutdownGraceSeconds: 30,
  /** SQLite busy timeout, ms. */
  busyTimeoutMs: 5000,
  /** How often the daemon writes its heartbeat, ms. */
  heartbeatMs: 1000,
  /** How long a CLI control command waits for the daemon's acknowledgement, ms. */
  ackWaitMs: 3000,
  /** Most often a run.output event is written per attempt, ms. */
  outputEventMs: 1000,
  /** Output cap per attempt and stream. */
  maxOutputBytes: 10 * 1024 * 1024,
  concurrency: 8,
  /** Spawner processes that start attempts for the daemon (0: the daemon starts them itself). */
  spawners: 2,
  /**
   * How far ahead the schedule engine looks before it gives up, days: 28 years, the cycle in which every
   * date falls on every weekday, so whatever validation accepts (see definitions/never-fires.ts) the
   * scheduler, list and next find. A schedule that fires stops at its first fire, so the span costs only
   * schedules whose next fire is years away.
   */
  horizonDays: Math.ceil(28 * 365.25),
  /** Warn when a calendar's last date is this close, days. */
  calendarRunsOutDays: 60,
} as const;

/** The event readers, the webhook sink, alerts and retention. */
export const EVENT_DEFAULTS = {
  /** How often a follower (events -f, logs -f) checks PRAGMA data_version, ms. */
  followPollMs: 100,
  /** Longest an events follower waits before re-reading even without a signalled change, ms. */
  followRecheckMs: 1000,
  /** Longest a logs follower waits before re-reading the output file, ms. */
  logsPollMs: 200,
  /** Events read per query when printing or delivering a backlog. */
  pageSize: 1000,
  /** Events per POST; 1 sends application/cloudevents+json, more sends a batch. */
  sinkBatch: 1,
  /** How often an idle sink looks for new events when nobody calls notify(), ms. */
  sinkIdlePollMs: 1000,
  /** One delivery attempt's time limit, ms. */
  sinkTimeoutMs: 10_000,
  /** First retry delay after a failed delivery, doubled per failure up to the cap, ms. */
  sinkMinBackoffMs: 1000,
  sinkMaxBackoffMs: 60_000,
  /** An alert command's time limit, ms; its process group is killed past it. */
  alertCommandTimeoutMs: 30_000,
  /** An alert webhook or Slack POST's time limit, ms. */
  alertHttpTimeoutMs: 10_000,
  /** An alert mail's time limit for each step of the SMTP conversation, ms. */
  alertSmtpTimeoutMs: 30_000,
  /** Bytes of stdout/stderr tail given to ${P:stdout} / ${P:stderr}. */
  alertTailBytes: 4096,
  /** How often the daemon applies --retain-days, ms. */
  retentionEveryMs: 3_600_000,
  /** Runs deleted per transaction while pruning, so the daemon never waits long for the lock. */
  pruneBatch: 500,
} as const;
