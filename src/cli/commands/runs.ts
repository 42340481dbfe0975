// easytask runs: run history with its filters.
import type { Command } from 'commander';
import { EasyTaskError } from '../../core/errors.js';
import { isRunState, type RunState } from '../../core/states.js';
import { action, intOption, out, printJson, table, withStore } from '../context.js';
import type { RunView } from '../run-view.js';

export function registerRunsCommand(program: Command): void {
  program
    .command('runs')
    .description('run history, newest first: task, slot, state, reason, attempts, exit code, duration, host')
    .addHelpText('after', '\nDURATION (duration_ms in --json) is how long the last attempt\'s process ran, from its start to its exit;\nit leaves out the wait before the spawn, earlier attempts and retry delays. "-" until the run ends.\n'
      + 'A tid (gid) matches the runs recorded under that id, a name those recorded under that name, in the one\ninstance where it is defined (or, once deleted, has history); a ref found in several instances needs --instance.\n'
      + 'The table has an INSTANCE column when a listed run is in an instance other than "default".')
    .option('--task <name>', 'only this task (a name or tid)')
    .option('--state <state>', 'only runs in this state (e.g. FAILED)')
    .option('--since <when>', 'only slots since a duration ago (24h, 7d) or an ISO time')
    .option('--group <name>', 'only runs of this group\'s cycles (a name or gid)')
    .option('--instance <name>', 'only runs in this instance (with --task/--group: the instance the name or id is in)')
    .option('--group-run <id>', 'only the runs of this group cycle', intOption('--group-run', 1))
    .option('-n, --limit <n>', 'at most this many runs', intOption('--limit', 1, 1_000_000), 50)
    .option('--json', 'print as JSON')
    .action(action(async function (this: Command, o: { task?: string; instance?: string; state?: string; since?: string; group?: string; groupRun?: number; limit: number; json?: boolean }) {
      const [{ systemClock }, { formatDuration }, { parseSince, zoneResolver, withLocalSlot, lastAttemptDurations, outputErrorText }, { resolveFilterRef }] = await Promise.all([
        import('../../core/clock.js'), import('../../events/format.js'), import('../run-view.js'), import('../filter-ref.js'),
      ]);
      const state = o.state?.toUpperCase();
      if (state !== undefined && !isRunState(state)) throw new EasyTaskError('BAD_INPUT', `--state must be one of ACTIVE, TRIGGER, STARTED, RUNNING, RESTARTING, SUCCESS, FAILED, TERMINATED, REJECTED, FROZEN, SKIPPED; got "${o.state}"`, 2);
      const since = o.since === undefined ? undefined : parseSince(o.since, systemClock.now());
      const runs = await withStore(this, async (store) => {
        const zoneOf = zoneResolver(store);
        const task = o.task === undefined ? undefined : await resolveFilterRef(store, o.task, 'task', { instance: o.instance });
        const group = o.group === undefined ? undefined : await resolveFilterRef(store, o.group, 'group', { instance: o.instance });
        // A task and a group found in different instances share no run.
        if (task?.instance !== undefined && group?.instance !== undefined && task.instance !== group.instance) return [];
        const rows = await store.runs.list({
          // A tid (gid) is matched with the name it stands for: an id a deleted task had and a new one reuses
          // does not bring the old task's runs in.
          task: task?.name, taskId: task?.id,
          group: group?.name, groupId: group?.id,
          instance: o.instance ?? task?.instance ?? group?.instance,
          state: state as RunState | undefined, sinceSlot: since, groupRun: o.groupRun, limit: o.limit,
        });
        const durations = await lastAttemptDurations(store, rows);
        const views: RunView[] = [];
        for (const r of rows) views.push(withLocalSlot(r, await zoneOf(r), durations.get(r.id) ?? null));
        return views;
      });
      if (o.json) return printJson(runs);
      if (runs.length === 0) return out('No runs match.');
      const dur = (ms: number | null) => (ms === null ? '-' : formatDuration(ms));
      // Runs only of the default instance read as before; any other instance gets a column (as list does).
      const instances = runs.some((r) => r.instance !== 'default');
      out(table(['RUN', 'TASK', ...(instances ? ['INSTANCE'] : []), 'SLOT (UTC)', 'SLOT (LOCAL)', 'STATE', 'REASON', 'ATTEMPTS', 'EXIT', 'DURATION', 'HOST'],
        runs.map((r) => [String(r.id), r.task, ...(instances ? [r.instance] : []), r.slot.replace('T', ' ').replace('.000Z', 'Z'), r.slot_local ?? '-', r.state, r.reason ?? '-', `${r.attempt}/${r.max_attempts}`, r.exit_code === null ? '-' : String(r.exit_code), dur(r.duration_ms), r.host ?? '-'])));
      // Output the files did not take (a full disk) is said under the table, run by run.
      for (const r of runs) for (const line of outputErrorText(r)) out(`warning: run ${r.id}: ${line}`);
    }));
}
