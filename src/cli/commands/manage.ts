// delete, enable, disable: change one definition named by name or tid/gid.
import type { Command } from 'commander';
import { EasyTaskError } from '../../core/errors.js';
import type { Store } from '../../store/index.js';
import { action, out, printJson, withStore } from '../context.js';

interface RefOpts {
  instance?: string;
  json?: boolean;
  cascade?: boolean;
}

function deleteDefinition(store: Store, ref: string, o: RefOpts): string[] {
  return store.tx(() => {
    const s = store.defs.get(ref, o.instance);
    const d = s.definition;
    const removed: string[] = [];
    if (d.kind === 'group') {
      const members = store.defs.membersOf(d.def.name, d.def.instance);
      if (members.length && !o.cascade) {
        throw new EasyTaskError('BAD_INPUT', `group "${d.def.name}" has ${members.length} member task(s) (${members.map((m) => m.name).join(', ')}); pass --cascade to delete them too`, 2);
      }
      for (const m of members) {
        store.runs.skipPending(m.name, m.instance, 'deleted');
        store.defs.remove(store.defs.byName(m.name, m.instance)!);
        removed.push(`task ${m.name} (tid ${m.tid})`);
      }
    } else {
      store.runs.skipPending(d.def.name, d.def.instance, 'deleted');
    }
    store.defs.remove(s);
    removed.push(d.kind === 'task' ? `task ${d.def.name} (tid ${d.def.tid})` : `group ${d.def.name} (gid ${d.def.gid})`);
    return removed;
  });
}

export function registerManageCommands(program: Command): void {
  program
    .command('delete')
    .description('delete a task or group (by name or tid/gid); runs not yet started are skipped')
    .argument('<task>', 'name or tid (gid for a group)')
    .option('--instance <name>', 'the instance, when the name exists in several')
    .option('--cascade', "when deleting a group, delete its member tasks too")
    .option('--json', 'print what was deleted as JSON')
    .action(action(async function (this: Command, ref: string, o: RefOpts) {
      const removed = await withStore(this, (store) => deleteDefinition(store, ref, o));
      if (o.json) printJson({ deleted: removed });
      else for (const r of removed) out(`Deleted ${r}`);
    }));

  for (const [verb, active] of [['enable', true], ['disable', false]] as const) {
    program
      .command(verb)
      .description(active ? 'make a task or group ACTIVE so it triggers again' : 'make a task or group IDLE: it stops triggering (running attempts finish)')
      .argument('<task>', 'name or tid (gid for a group)')
      .option('--instance <name>', 'the instance, when the name exists in several')
      .option('--json', 'print the outcome as JSON')
      .action(action(async function (this: Command, ref: string, o: RefOpts) {
        const r = await withStore(this, (store) =>
          store.tx(() => {
            const res = store.defs.setActive(ref, active, o.instance);
            if (!active && res.changed && res.definition.kind === 'task') store.runs.skipPending(res.definition.def.name, res.definition.def.instance, 'disabled');
            return res;
          }),
        );
        const d = r.definition;
        const label = `${d.kind === 'task' ? 'Task' : 'Group'} ${d.def.name} (${d.kind === 'task' ? `tid ${d.def.tid}` : `gid ${d.def.gid}`})`;
        if (o.json) printJson({ name: d.def.name, kind: d.kind, active, changed: r.changed });
        else out(r.changed ? `${label} ${active ? 'enabled' : 'disabled'}` : `${label} was already ${active ? 'enabled' : 'disabled'}`);
      }));
  }
}
