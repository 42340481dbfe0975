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
  /** How far ahead the schedule engine looks before it gives up, days. */
  horizonDays: 366 * 5,
  /** Warn when a calendar's last date is this close, days. */
  calendarRunsOutDays: 60,
} as const;
