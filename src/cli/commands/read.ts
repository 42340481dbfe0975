// list and show: the definitions with their state, next trigger and last run.
import type { Command } from 'commander';
import { action, out, printJson, table, withStore } from '../context.js';
import { askedText, lastAsked } from '../../events/last-asked.js';
import type { DefinitionSummary } from '../describe.js';

const load = async () => ({ ...(await import('../describe.js')), ...(await import('../next-fire.js')), ...(await import('../../daemon/queue-coverage.js')) });

interface ReadOpts {
  json?: boolean;
  instance?: string;
}

const when = (iso: string | null): string => (iso ? iso.replace('T', ' ').replace(/\.\d{3}Z$/, 'Z') : '-');

function lastRunText(s: DefinitionSummary): string {
  const r = s.last_run;
  if (!r) return '-';
  const why = r.reason ? ` (${r.reason})` : r.exit_code !== null && r.exit_code !== 0 ? ` (exit ${r.exit_code})` : '';
  return `#${r.id} ${r.state}${why} ${when(r.slot)}`;
}

export function registerReadCommands(program: Command): void {
  program
    .command('list')
    .description('list tasks and groups with their state, next trigger and last run')
    .addHelpText('after', '\nThe table has an INSTANCE column when a listed definition is in an instance other than "default".')
    .option('--instance <name>', 'only this instance')
    .option('--json', 'print as JSON')
    .action(action(async function (this: Command, o: ReadOpts) {
      const { summarise, nextFireOf, queueCoverage, unservedText } = await load();
      const { rows, unserved } = await withStore(this, async (store) => {
        const next = await nextFireOf(store);
        const coverage = await queueCoverage(store);
        const rows: DefinitionSummary[] = [];
        for (const s of await store.defs.all()) if (!o.instance || s.definition.def.instance === o.instance) rows.push(await summarise(store, s.definition, next, coverage));
        const active = rows.filter((r) => r.kind === 'task' && r.state === 'ACTIVE').map((r) => ({ name: r.name, queue: r.queue! }));
        return { rows, unserved: unservedText(coverage, active) };
      });
      if (o.json) return printJson(rows);
      if (rows.length === 0) return out('No tasks yet. Add some with: easytask insert <file.json>');

      // A home with only the default instance reads as before; any other instance gets a column.
      const instances = rows.some((s) => s.instance !== 'default');
      const cells = (s: DefinitionSummary) => [s.name, ...(instances ? [s.instance] : []), s.kind, String(s.id), s.state, s.schedule, s.timezone ?? '-', when(s.next), lastRunText(s)];
      out(table(['NAME', ...(instances ? ['INSTANCE'] : []), 'KIND', 'ID', 'STATE', 'SCHEDULE', 'TZ', 'NEXT (UTC)', 'LAST RUN'], rows.map(cells)));
      if (unserved) process.stderr.write(`warning: ${unserved}\n`);
    }));

  program
    .command('show')
    .description('show one task or group: its definition, state, next trigger and recent runs')
    .argument('<task>', 'name or tid (gid for a group)')
    .option('--instance <name>', 'the instance, when the name exists in several')
    .option('--json', 'print as JSON')
    .action(action(async function (this: Command, ref: string, o: ReadOpts) {
      const { summarise, nextFireOf, queueCoverage } = await load();
      const view = await withStore(this, async (store) => {
        const coverage = await queueCoverage(store);
        const s = await store.defs.get(ref, o.instance);
        const d = s.definition;
        const runs = d.kind === 'task' ? (await store.runs.list({ task: d.def.name, limit: 10 })).filter((r) => r.instance === d.def.instance) : [];
        const groupRuns = d.kind === 'group' ? await store.groupRuns.recent(d.def.name, d.def.instance, 10) : [];
        const members = d.kind === 'group' ? (await store.defs.membersOf(d.def.name, d.def.instance)).map((m) => ({ name: m.name, tid: m.tid, active: m.active, dependency: m.dependency ?? null })) : [];
        const asked = d.kind === 'task' ? await lastAsked(store, d.def.name, d.def.instance) : { last_disable: null, last_freeze: null };
        return { summary: await summarise(store, d, await nextFireOf(store), coverage), definition: d.def, version: s.version, updated_at: new Date(s.updated_at).toISOString(), runs, groupRuns, members, asked };
      });
      if (o.json) {
        const group = view.summary.kind === 'group' ? { members: view.members, recent_group_runs: view.groupRuns } : {};
        const recent = view.runs.map((r) => ({ ...r, output_error: r.output_error ? JSON.parse(r.output_error) : null }));
        return printJson({ ...view.summary, version: view.version, updated_at: view.updated_at, ...view.asked, definition: view.definition, recent_runs: recent, ...group });
      }
      const s = view.summary;
      out(`${s.kind === 'task' ? 'Task' : 'Group'} ${s.name} (${s.kind === 'task' ? 'tid' : 'gid'} ${s.id}) — ${s.state}`);
      out(`  schedule:  ${s.schedule || '-'}${s.timezone ? ` (${s.timezone})` : ''}`);
      out(`  next:      ${when(s.next)}${s.next_due ? ` (its run is due ${when(s.next_due)}: random_delay up to ${s.random_delay}s)` : ''}`);
      if (s.queue !== null) out(`  queue:     ${s.queue}${s.queue_served === false ? ' — no online agent serves it: its runs wait in TRIGGER until one does (see: easytask agents)' : ''}`);
      out(`  last run:  ${lastRunText(s)}`);
      out(`  version:   ${view.version}, updated ${when(view.updated_at)}`);
      if (view.asked.last_disable) out(`  disabled:  ${askedText(view.asked.last_disable)}${s.state === 'IDLE' ? '' : ' (enabled since)'}`);
      if (view.asked.last_freeze) out(`  frozen:    ${askedText(view.asked.last_freeze)}`);
      out('  definition:');
      for (const line of JSON.stringify(view.definition, null, 2).split('\n')) out('    ' + line);
      if (view.members.length) {
        out('  members:');
        for (const m of view.members) out(`    ${m.name} (tid ${m.tid})${m.active ? '' : ' IDLE'}${m.dependency ? ` after ${m.dependency}` : ''}`);
      }
      if (view.groupRuns.length) {
        out('  recent cycles:');
        out(
          table(['CYCLE', 'SLOT (UTC)', 'DATE', 'STATE', 'REASON'], view.groupRuns.map((g) => [`#${g.id}`, when(new Date(g.slot).toISOString()), g.business_date ?? '-', g.state, g.reason ?? '-']))
            .split('\n')
            .map((l) => '    ' + l)
            .join('\n'),
        );
      }
      if (view.runs.length) {
        out('  recent runs:');
        out(
          table(
            ['RUN', 'SLOT (UTC)', 'STATE', 'REASON', 'ATTEMPT', 'EXIT'],
            view.runs.map((r) => [`#${r.id}`, when(new Date(r.slot).toISOString()), r.state, r.reason ?? '-', `${r.attempt}/${r.max_attempts}`, r.exit_code === null ? '-' : String(r.exit_code)]),
          )
            .split('\n')
            .map((l) => '    ' + l)
            .join('\n'),
        );
        const { outputErrorText, runView } = await import('../run-view.js');
        for (const r of view.runs) for (const line of outputErrorText(runView(r))) out(`    warning: run #${r.id}: ${line}`);
      }
    }));
}
