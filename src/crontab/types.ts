// What the crontab translator produces: task definitions, the lines it could not translate, and notes.

export type CrontabFormat = 'user' | 'system';

/** A task definition in EasyTask's field names, ready for `insert`. */
export interface CronTask {
  name: string;
  description: string;
  cron: string;
  /** Set when cron's rule "a day field starting with * makes both day fields AND" needs it. */
  day_of_week?: string;
  /** From CRON_TZ; absent means the machine's zone, as cron uses. */
  timezone?: string;
  /** The user column of a system crontab. */
  run_as_user?: string;
  cmd: string;
  env?: Record<string, string>;
  /** From MAILTO: mail the addresses when a run fails or writes output, as cron mails a job's output. */
  alert?: { alert_on: 'output'; email: string[] };
  /** cron runs nothing it missed while it was down, and starts a job even if its last run is still going. */
  catch_up: 'none';
  overlap: 'allow';
}

export interface TranslatedLine {
  line: number;
  text: string;
  task: CronTask;
}

export interface UntranslatedLine {
  line: number;
  text: string;
  reason: string;
}

export interface CrontabNote {
  line: number;
  text: string;
  note: string;
}

export interface Translation {
  format: CrontabFormat;
  tasks: TranslatedLine[];
  skipped: UntranslatedLine[];
  notes: CrontabNote[];
}
