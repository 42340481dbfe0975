// The environment lines of a crontab as they accumulate: each job gets the settings above it.
import { ENV_NAME_RE } from '../core/validate/text-rules.js';

export interface CronEnvironment {
  env: Record<string, string>;
  /** CRON_TZ: the zone the schedule is read in. */
  timezone?: string;
  /** MAILTO's mail addresses: the jobs below mail them when they fail or write output. */
  mailto?: string[];
}

/** What is mailed where cron would mail: a run that failed or wrote anything (cron mails any output). */
export const MAILTO_ALERT_ON = 'output';

export type EnvOutcome = { note?: string };

/** Shells whose commands bash runs as they are meant; EasyTask always runs `bash -c`. */
const BASH_COMPATIBLE = new Set(['/bin/sh', '/usr/bin/sh', '/bin/bash', '/usr/bin/bash', '/bin/dash', '/usr/bin/dash']);

/** Apply one `NAME=value` line; returns a note when EasyTask will not do what cron would. */
export function applyEnvLine(state: CronEnvironment, name: string, value: string): EnvOutcome {
  if (name === 'CRON_TZ') {
    if (value === '') delete state.timezone;
    else state.timezone = value;
    return {};
  }
  if (!ENV_NAME_RE.test(name)) return { note: `"${name}" is not a variable name EasyTask can set (letters, digits and _); left out` };
  if (name === 'SHELL') {
    // cron runs the commands with $SHELL; EasyTask always runs bash -c and sets SHELL to that bash,
    // so copying the line into env would only make SHELL lie to the commands.
    const check = BASH_COMPATIBLE.has(value) ? '' : `; check that the commands below this line run under bash, not ${value}`;
    return { note: `SHELL=${value}: not copied into env: EasyTask runs every cmd with bash -c and sets SHELL to that bash${check}` };
  }
  state.env[name] = value;
  if (name === 'MAILTO') return mailto(state, value);
  if (name === 'TZ') return { note: `TZ=${value}: passed to the commands, as cron does; the schedule stays in the machine's zone (CRON_TZ sets that)` };
  return {};
}

/**
 * MAILTO=a@x,b@y: the jobs below get an email alert (alert_on "output"); MAILTO="" turns mail off.
 * A bare user name (cron mails its local mailbox) cannot be mailed over SMTP: it is left out, with a note.
 */
function mailto(state: CronEnvironment, value: string): EnvOutcome {
  const names = value.split(/[\s,]+/).filter(Boolean);
  const addresses = names.filter((n) => /^[^@\s]+@[^@\s]+$/.test(n));
  const local = names.filter((n) => !addresses.includes(n));
  if (addresses.length) state.mailto = addresses;
  else delete state.mailto;
  if (names.length === 0) return {};
  const notes: string[] = [];
  if (addresses.length) {
    notes.push(`the tasks below this line mail ${addresses.join(', ')} when a run fails or writes output, as cron would (an "alert" with alert_on "${MAILTO_ALERT_ON}" and an "email" action; the daemon needs SMTP settings: EASYTASK_SMTP_URL… or <home>/smtp.json)`);
  }
  if (local.length) {
    notes.push(`${local.join(', ')} ${local.length === 1 ? 'is a local user' : 'are local users'}, not a mail address: ${addresses.length ? 'left out' : 'nothing is mailed'}; write user@domain to have it mailed (EasyTask keeps each run's output under logs/: easytask logs)`);
  }
  return { note: `MAILTO=${value}: ${notes.join('; ')}` };
}
