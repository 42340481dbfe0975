// export and import: round-trip every definition as one JSON document; import makes the store match it.
import type { Command } from 'commander';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { systemClock } from '../../core/clock.js';
import { EasyTaskError } from '../../core/errors.js';
import type { Store, StoredDefinition } from '../../store/index.js';
import { settleDefinitionEffects } from '../definition-effects.js';
import { action, out, printJson, withHome, withStore, write } from '../context.js';
import { printWarnings } from './definitions.js';

/** "1 task", "2 tasks". */
const n = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

export async function exportDocument(store: Store): Promise<{ tasks: unknown[]; groups: unknown[] }> {
  const all = await store.defs.all();
  return {
    groups: all.filter((s) => s.definition.kind === 'group').map((s) => s.definition.def),
    tasks: all.filter((s) => s.definition.kind === 'task').map((s) => s.definition.def),
  };
}

/** Write the export file, or exit naming the path and why not: a folder that is not there is bad input (2). */
function writeExport(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const folder = dirname(resolve(path));
    const why: Record<string, [string, 1 | 2]> = {
      ENOENT: [`its folder ${folder} does not exist (create it first)`, 2],
      ENOTDIR: [`a part of ${folder} is a file, not a folder`, 2],
      EISDIR: ['it is a folder; give a file name', 2],
      EACCES: ['permission denied', 1],
      EPERM: ['permission denied', 1],
      EROFS: ['the file system is read-only', 1],
      ENOSPC: ['no space left on the device', 1],
    };
    const known = e.code === 'ENOENT' && existsSync(folder) ? undefined : why[e.code ?? ''];
    const [reason, code] = known ?? [e.message, 1];
    throw new EasyTaskError('BAD_INPUT', `-o ${path}: cannot write the export: ${reason}; nothing was written`, code);
  }
}

const key = (s: StoredDefinition) => `${s.definition.def.instance}/${s.definition.def.name}`;

export function registerSyncCommands(program: Command): void {
  program
    .command('export')
    .description('print every definition as one JSON document that import and insert accept')
    .option('-o, --output <file>', 'write to a file instead of standard output (its folder must exist)')
    .action(action(async function (this: Command, o: { output?: string }) {
      const doc = await withStore(this, exportDocument);
      const text = JSON.stringify(doc, null, 2) + '\n';
      if (o.output) {
        writeExport(o.output, text);
        out(`Exported ${n(doc.tasks.length, 'task')} and ${n(doc.groups.length, 'group')} to ${o.output}`);
      } else write(text);
    }));

  program
    .command('import')
    .description('make the store match a document: create, update, and delete what it does not list')
    .argument('<file|dir|->', 'a document from export (or any insert input)')
    .option('--dry-run', 'print what would change, change nothing')
    .option('--json', 'print the changes as JSON')
    .action(action(async function (this: Command, path: string, o: { dryRun?: boolean; json?: boolean }) {
      const [{ formatIssue, prepare }, { loadSources }, { calendarOptions }] = await Promise.all([
        import('../../definitions/apply.js'),
        import('../../definitions/load.js'),
        import('../calendars.js'),
      ]);
      const sources = loadSources(path);
      let pendingWarning = false;
      const changes = await withHome(this, async ({ home, store: existing, create }) => {
        const cals = calendarOptions(home);
        const p = await prepare(sources, existing, { replace: true, sync: true, now: systemClock.now(), ...cals });
        printWarnings(p, cals, formatIssue);
        if (p.issues.length) {
          for (const i of p.issues) process.stderr.write(formatIssue(i) + '\n');
          throw new EasyTaskError('BAD_INPUT', `${p.issues.length} problem(s) found; nothing was imported.`, 2);
        }
        // A home with no store yet has nothing to delete and creates every definition; a dry run, or a
        // document with nothing in it, leaves the home uncreated.
        if (!existing && (o.dryRun || p.items.length === 0)) {
          return p.items.map((i) => ({ action: 'created', kind: i.input.kind, name: i.input.def.name }));
        }
        const store = await create();
        const wanted = new Set(p.items.map((i) => `${i.input.def.instance}/${i.input.def.name}`));
        const doomed = (await store.defs.all()).filter((s) => !wanted.has(key(s)));
        // Tasks before groups, so no task is ever left pointing at a deleted group.
        doomed.sort((a, b) => (a.definition.kind === b.definition.kind ? 0 : a.definition.kind === 'task' ? -1 : 1));
        // One unit, deletions first so ids they held are free for the definitions that follow; a dry run
        // works out the exact outcome and writes nothing.
        const { written } = await store.defs.apply({ write: p.items.map((i) => i.input), remove: doomed, replace: true, dryRun: o.dryRun === true });
        if (!o.dryRun && doomed.length) pendingWarning = !(await settleDefinitionEffects(store, await store.events.lastSeq())).applied;
        return [
          ...written.map((w) => ({ action: w.action, kind: w.definition.kind, name: w.definition.def.name })),
          ...doomed.map((s) => ({ action: 'deleted', kind: s.definition.kind, name: s.definition.def.name })),
        ];
      });
      if (pendingWarning) process.stderr.write('warning: the daemon has not yet skipped the runs not yet started of the deleted tasks; it will once it reads the change\n');
      if (o.json) return printJson(changes);
      const count = (a: string) => changes.filter((c) => c.action === a).length;
      for (const c of changes) if (c.action !== 'unchanged') out(`${o.dryRun ? 'would be ' : ''}${c.action}: ${c.kind} ${c.name}`);
      out(`${o.dryRun ? 'Dry run, nothing changed: ' : ''}${count('created')} created, ${count('updated')} updated, ${count('deleted')} deleted, ${count('unchanged')} unchanged.`);
    }));
}
