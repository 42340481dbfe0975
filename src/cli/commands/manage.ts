// delete, enable, disable: change one definition named by name or tid/gid.
import type { Command } from 'commander';
import { osUser } from '../../core/asker.js';
import { EasyTaskError } from '../../core/errors.js';
import { setActive, setActiveText } from '../../definitions/set-active.js';
import type { Store, StoredDefinition } from '../../store/index.js';
import { action, out, printJson, withStore } from '../context.js';
import { settleDefinitionEffects } from '../definition-effects.js';

interface RefOpts {
  instance?: string;
  json?: boolean;
  cascade?: boolean;
}

/** One deleted definition, as delete --json prints it. */
interface Deleted {
  kind: 'task' | 'group';
  name: string;
  /** The tid of a task, the gid of a group. */
  id: number;
  instance: string;
  /** A task's group (a member deleted with --cascade names the group it was in). */
  group: string | null;
  /** Runs of the task that had not started and were skipped with reason deleted. */
  skipped_runs: number;
}

/** Delete the definition (a group with --cascade: its members too) and write the events, as one unit; nothing else. */
async function deleteDefinition(store: Store, ref: string, o: RefOpts): Promise<{ removed: Omit<Deleted, 'skipped_runs'>[]; seqs: number[] }> {
  const s = await store.defs.get(ref, o.instance);
  const d = s.definition;
  const removed: Omit<Deleted, 'skipped_runs'>[] = [];
  const doomed: StoredDefinition[] = [];
  if (d.kind === 'group') {
    const members = await store.defs.membersOf(d.def.name, d.def.instance);
    if (members.length && !o.cascade) {
      throw new EasyTaskError('BAD_INPUT', `group "${d.def.name}" has ${members.length} member task(s) (${members.map((m) => m.name).join(', ')}); pass --cascade to delete them too`, 2);
    }
    for (const m of members) {
      const member = await store.defs.byName(m.name, m.instance);
      if (!member) continue; // deleted meanwhile
      doomed.push(member);
      removed.push({ kind: 'task', name: m.name, id: m.tid, instance: m.instance, group: d.def.name });
    }
    doomed.push(s);
    removed.push({ kind: 'group', name: d.def.name, id: d.def.gid, instance: d.def.instance, group: null });
  } else {
    doomed.push(s);
    removed.push({ kind: 'task', name: d.def.name, id: d.def.tid, instance: d.def.instance, group: d.def.task_group ?? null });
  }
  const { removed: seqs } = await store.defs.apply({ remove: doomed, replace: false });
  return { removed, seqs };
}

/** The runs the deletions skipped (applied here, or by the daemon), one count per definition. */
async function withSkipped(store: Store, r: { removed: Omit<Deleted, 'skipped_runs'>[]; seqs: number[] }): Promise<Deleted[]> {
  const settled = await settleDefinitionEffects(store, Math.max(0, ...r.seqs));
  if (!settled.applied) warnPending();
  const out: Deleted[] = [];
  for (const [i, d] of r.removed.entries()) out.push({ ...d, skipped_runs: d.kind === 'task' ? await settled.skippedBy(r.seqs[i]) : 0 });
  return out;
}

function warnPending(): void {
  process.stderr.write('warning: the daemon has not yet skipped the runs not yet started; it will once it reads the change\n');
}

function deletedText(r: Deleted): string {
  const where = r.instance === 'default' ? '' : `, instance ${r.instance}`;
  const skipped = r.skipped_runs ? `; ${r.skipped_runs} run(s) not yet started skipped` : '';
  return `Deleted ${r.kind} ${r.name} (${r.kind === 'task' ? 'tid' : 'gid'} ${r.id}${where})${skipped}`;
}

export function registerManageCommands(program: Command): void {
  program
    .command('delete')
    .description('delete a task or group (by name or tid/gid); runs not yet started are skipped')
    .argument('<task>', 'name or tid (gid for a group)')
    .option('--instance <name>', 'the instance, when the name exists in several')
    .option('--cascade', "when deleting a group, delete its member tasks too")
    .option('--json', 'print what was deleted as JSON: {deleted: [{kind, name, id, instance, group, skipped_runs}]}')
    .action(action(async function (this: Command, ref: string, o: RefOpts) {
      const removed = await withStore(this, async (store) => withSkipped(store, await deleteDefinition(store, ref, o)));
      if (o.json) printJson({ deleted: removed });
      else for (const r of removed) out(deletedText(r));
    }));

  for (const [verb, active] of [['enable', true], ['disable', false]] as const) {
    let c = program
      .command(verb)
      .description(active ? 'make a task or group ACTIVE so it triggers again' : 'make a task or group IDLE: it stops triggering (running attempts finish)')
      .argument('<task>', 'name or tid (gid for a group)')
      .option('--instance <name>', 'the instance, when the name exists in several')
      .option('--json', 'print the outcome as JSON');
    if (!active) c = c.option('--note <text>', 'why: kept with the event beside who asked (shown by easytask show and easytask events)');
    c.action(action(async function (this: Command, ref: string, o: RefOpts & { note?: string }) {
      const r = await withStore(this, (store) => setActive(store, ref, active, { instance: o.instance, who: { by: osUser(), note: o.note } }));
      if (r.pending) warnPending();
      const d = r.definition;
      if (o.json) printJson({ name: d.def.name, kind: d.kind, active, changed: r.changed });
      else out(setActiveText(r));
    }));
  }
}
