// Normalised task and group definitions: what validation produces and the store keeps.

export type CatchUp = 'none' | 'latest' | 'all';
export type Overlap = 'skip' | 'queue' | 'allow' | 'replace';
/**
 * When an alert fires: `failure`, `success`, `always` (either), `change` (the outcome differs from the
 * task's previous final run; a first run only when it failed), `output` (a run that failed, or whose
 * last attempt wrote to stdout or stderr: cron's MAILTO). Every value but `success` also fires when
 * the daemon finds slots of the task that passed without a run (missed).
 */
export type AlertOn = 'failure' | 'success' | 'always' | 'change' | 'output';

export interface AlertAction {
  command?: string;
  webhook?: string;
  slack?: string;
  /** Recipients of a mail sent over the daemon's SMTP settings (never in the definition). */
  email?: string[];
}

export interface AlertDef {
  alert_on: AlertOn;
  actions: AlertAction[];
}

/** The schedule fields shared by standalone tasks and groups. */
export interface ScheduleFields {
  /** IANA zone as written (legacy links such as US/Eastern kept as written). */
  timezone: string;
  /** Normalised: comma separated, sorted, de-duplicated `HH:MM` or `HH:MM:SS`. */
  trigger_times?: string;
  /** `HH:MM-HH:MM-N`. */
  run_frequency?: string;
  /** 5 or 6 field cron expression. */
  cron?: string;
  /** 7 chars of 0/1, Monday first. */
  day_of_week: string;
  /** `first|second|third|fourth|last <weekday> of every month`. */
  ordinal_day?: string;
  calendar?: string;
  /** Seconds (0–86400): each slot's run is due up to this much after the slot (a stable per-slot offset). */
  random_delay?: number;
}

export interface TaskDef extends Partial<ScheduleFields> {
  tid: number;
  name: string;
  task_owner: string;
  cmd: string;
  run_on_host: string;
  description?: string;
  stdout?: string;
  stderr?: string;
  active: boolean;
  instance: string;
  /** Present for standalone tasks; members inherit it from their group. */
  timezone?: string;
  day_of_week?: string;
  max_run_time?: number;
  retry_attempts: number;
  retry_delay: number;
  task_accept_expiry_time?: number;
  profile?: string;
  run_as_user?: string;
  /** The working directory of cmd (absolute); default the home of the user the task runs as. */
  cwd?: string;
  task_group?: string;
  dependency?: string;
  alert?: AlertDef;
  /** A Healthchecks-style ping URL: `/start` when an attempt starts, the URL on success, `/fail` on final failure. */
  healthcheck?: string;
  catch_up: CatchUp;
  overlap: Overlap;
  env?: Record<string, string>;
  max_output_bytes?: number;
  /** Keep only the last N final runs of the task (older ones are pruned). */
  retain_runs?: number;
  /** Keep only the last N FAILED runs of the task, counted apart from the others. */
  retain_failures?: number;
}

export interface GroupDef extends ScheduleFields {
  gid: number;
  name: string;
  description?: string;
  active: boolean;
  instance: string;
  dependency?: string;
  catch_up: CatchUp;
}

export type Definition = { kind: 'task'; def: TaskDef } | { kind: 'group'; def: GroupDef };

/** The effective schedule of a standalone task, or undefined for a group member. */
export function taskSchedule(t: TaskDef): ScheduleFields | undefined {
  if (t.task_group !== undefined || t.timezone === undefined) return undefined;
  return {
    timezone: t.timezone,
    trigger_times: t.trigger_times,
    run_frequency: t.run_frequency,
    cron: t.cron,
    day_of_week: t.day_of_week ?? '1111111',
    ordinal_day: t.ordinal_day,
    calendar: t.calendar,
    ...(t.random_delay ? { random_delay: t.random_delay } : {}),
  };
}
