// easytask prune: remove old final runs (by age, and past each task's retain_runs / retain_failures),
// their events and log files, and say how much was freed.
import type { Command } from 'commander';
import { EasyTaskError } from '../../core/errors.js';
import { action, out, printJson, withStore } from '../context.js';

const UNIT_MS = { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8 } as const;

/** `30d`, `12h`, `2w`, `90m`, `45s` → milliseconds. */
export function parseAge(text: string): number {
  const m = /^(\d+)\s*(s|m|h|d|w)$/.exec(text.trim());
  if (!m) throw new EasyTaskError('BAD_INPUT', `--older-than must be a duration like 30d, 12h, 2w; got "${text}"`, 2);
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

export function registerPruneCommand(program: Command): void {
  program
    .command('prune')
    .description("remove final runs older than a duration, and those past a task's retain_runs / retain_failures, with their attempts, events and log files")
    .option('--older-than <age>', 'also remove what ended before this long ago: 30d, 12h, 2w (without it, only the counts tasks keep apply)')
    .option('--dry-run', 'count what would go, remove nothing')
    .option('--json', 'print as JSON')
    .addHelpText('after', [
      '',
      'Removes the runs that ended (SUCCESS, FAILED, TERMINATED, REJECTED, SKIPPED)',
      'before the given age, with their attempts, events and log files, and the',
      'other events (not about a run) older than that age.',
      'Kept whatever their age: live runs (waiting to start, running, retrying) and',
      "runs not yet due; each task's newest scheduled run (the scheduler resumes from",
      'it). Log files are removed only under <home>/logs and when no kept run shares',
      'them. The daemon does the same every hour with --retain-days N.',
      '',
      'A task with "retain_runs": N keeps its last N final runs; with',
      '"retain_failures": M it keeps its last M FAILED runs counted apart (so',
      'failures can be kept longer than successes). The older ones go whatever',
      'their age, every time prune runs (and hourly in the daemon).',
      '',
      'Examples:',
      '  easytask prune --older-than 30d --dry-run  # count what would go; remove none',
      '  easytask prune --older-than 30d            # remove what ended 30+ days ago',
      '  easytask prune --dry-run                   # only what retain_runs/retain_failures drop',
    ].join('\n'))
    .action(action(async function (this: Command, o: { olderThan?: string; dryRun?: boolean; json?: boolean }) {
      const olderThanMs = o.olderThan === undefined ? undefined : parseAge(o.olderThan);
      const [{ systemClock }, { formatBytes }, { prune }] = await Promise.all([import('../../core/clock.js'), import('../../core/bytes.js'), import('../../retention/prune.js')]);
      const r = await withStore(this, (store) => prune(store, { olderThanMs, now: systemClock.now(), dryRun: o.dryRun === true }));
      if (o.json) return printJson(r);
      const verb = r.dry_run ? 'Would remove' : 'Removed';
      const age = r.cutoff ? ` from before ${r.cutoff}` : '';
      const counts = r.by_count ? ` (${r.by_count} run(s) past retain_runs/retain_failures)` : '';
      out(`${verb} ${r.runs} run(s), ${r.attempts} attempt(s), ${r.events} event(s) and ${r.files} log file(s)${age}${counts}.`);
      out(`${r.dry_run ? 'Would free' : 'Freed'} ${formatBytes(r.log_bytes)} of log files${r.dry_run ? '' : ` and ${formatBytes(r.db_bytes)} of database pages (reused by new rows)`}.`);
    }));
}
