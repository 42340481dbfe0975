// The environment lines of a crontab as they accumulate: each job gets the settings above it.
import { ENV_NAME_RE } from '../core/validate/text-rules.js';

export interface CronEnvironment {
  env: Record<string, string>;
  /** CRON_TZ: the zone the schedule is read in. */
  timezone?: string;
}

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
  if (name === 'MAILTO' && value !== '') {
    return { note: `MAILTO=${value}: nothing is mailed: EasyTask keeps each run's output under logs/ (easytask logs); to hear of failures, give the tasks below this line an "alert" (alert_on "failure", with a command such as mail, a webhook or slack)` };
  }
  if (name === 'TZ') return { note: `TZ=${value}: passed to the commands, as cron does; the schedule stays in the machine's zone (CRON_TZ sets that)` };
  return {};
}
