// The environment lines of a crontab as they accumulate: each job gets the settings above it.
import { ENV_NAME_RE } from '../core/validate/text-rules.js';

export interface CronEnvironment {
  env: Record<string, string>;
  /** CRON_TZ: the zone the schedule is read in. */
  timezone?: string;
}

export type EnvOutcome = { note?: string };

/** Shells whose syntax bash runs as is; EasyTask always runs `bash -c`. */
const BASH_COMPATIBLE = new Set(['/bin/sh', '/usr/bin/sh', '/bin/bash', '/usr/bin/bash', '/bin/dash', '/usr/bin/dash']);

/** Apply one `NAME=value` line; returns a note when EasyTask will not do what cron would. */
export function applyEnvLine(state: CronEnvironment, name: string, value: string): EnvOutcome {
  if (name === 'CRON_TZ') {
    if (value === '') delete state.timezone;
    else state.timezone = value;
    return {};
  }
  if (!ENV_NAME_RE.test(name)) return { note: `"${name}" is not a variable name EasyTask can set (letters, digits and _); left out` };
  state.env[name] = value;
  if (name === 'SHELL' && !BASH_COMPATIBLE.has(value)) return { note: `SHELL=${value}: EasyTask runs every cmd with bash -c, not ${value}` };
  if (name === 'MAILTO' && value !== '') return { note: `MAILTO=${value}: EasyTask keeps each run's output under logs/ and mails nothing; an "alert" can tell you about failures` };
  if (name === 'TZ') return { note: `TZ=${value}: passed to the commands, as cron does; the schedule stays in the machine's zone (CRON_TZ sets that)` };
  return {};
}
