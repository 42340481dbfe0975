// Turns a crontab (user or system format) into EasyTask task definitions using the `cron` field.
import { translateCommand, splitPercent } from './command.js';
import { applyEnvLine, MAILTO_ALERT_ON, type CronEnvironment } from './env.js';
import { parseLine } from './lines.js';
import { NameAllocator } from './names.js';
import { translateSchedule } from './schedule.js';
import type { CronTask, CrontabFormat, Translation } from './types.js';

export interface TranslateOptions {
  format: CrontabFormat;
  /** Shown in each task's description, e.g. "/etc/crontab". */
  source: string;
  /** Names that must not be handed out (already in the store, say). */
  reservedNames?: Iterable<string>;
}

const DESCRIPTION_MAX = 256;

function describe(source: string, line: number, schedule: string): string {
  const text = `from ${source} line ${line} (${schedule})`;
  return text.length <= DESCRIPTION_MAX ? text : `${text.slice(0, DESCRIPTION_MAX - 1)}…`;
}

export function translateCrontab(text: string, opts: TranslateOptions): Translation {
  const result: Translation = { format: opts.format, tasks: [], skipped: [], notes: [] };
  const state: CronEnvironment = { env: {} };
  const names = new NameAllocator(opts.reservedNames);
  text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    const shown = raw.replace(/\r$/, '').trim();
    const parsed = parseLine(raw, opts.format);
    if (parsed.kind === 'blank') return;
    if (parsed.kind === 'bad') return void result.skipped.push({ line, text: shown, reason: parsed.reason });
    if (parsed.kind === 'env') {
      const { note } = applyEnvLine(state, parsed.name, parsed.value);
      if (note !== undefined) result.notes.push({ line, text: shown, note });
      return;
    }
    const schedule = translateSchedule(parsed.schedule);
    if (!schedule.ok) return void result.skipped.push({ line, text: shown, reason: schedule.reason });
    const task: CronTask = {
      name: names.next(splitPercent(parsed.command).command),
      description: describe(opts.source, line, parsed.schedule),
      cron: schedule.cron,
      ...(schedule.dayOfWeek !== undefined ? { day_of_week: schedule.dayOfWeek } : {}),
      ...(state.timezone !== undefined ? { timezone: state.timezone } : {}),
      ...(parsed.user !== undefined ? { run_as_user: parsed.user } : {}),
      cmd: translateCommand(parsed.command),
      ...(Object.keys(state.env).length ? { env: { ...state.env } } : {}),
      ...(state.mailto ? { alert: { alert_on: MAILTO_ALERT_ON, email: [...state.mailto] } } : {}),
      catch_up: 'none',
      overlap: 'allow',
    };
    result.tasks.push({ line, text: shown, task });
  });
  return result;
}
