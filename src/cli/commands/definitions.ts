// insert, validate, update: files of definitions into the store, all or nothing.
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { systemClock } from '../../core/clock.js';
import { EasyTaskError } from '../../core/errors.js';
import type { Prepared } from '../../definitions/apply.js';
import type { Store } from '../../store/index.js';
import type { CalendarOptions } from '../calendars.js';
import { action, homeFor, out, printJson, withHome, withStore, type HomeAccess } from '../context.js';

/** The validation and store modules, loaded when a command runs rather than at start-up. */
async function modules() {
  const [apply, load, store, calendars] = await Promise.all([
    import('../../definitions/apply.js'),
    import('../../definitions/load.js'),
    import('../../store/index.js'),
    import('../calendars.js'),
  ]);
  return { ...apply, ...load, ...store, ...calendars };
}

/**
 * Warnings go to standard error and do not change the outcome: the batch's own, then calendar files
 * that cannot be used and that no definition here names (one that is named is an issue instead).
 */
function warnings(p: Prepared, cals: CalendarOptions, formatIssue: (i: Prepared['issues'][number]) => string): string[] {
  return [...p.warnings.map(formatIssue), ...cals.unusedBroken()];
}

function reportWarnings(lines: string[]): void {
  for (const w of lines) process.stderr.write(`warning: ${w}\n`);
}

/** Print a prepared batch's warnings on standard error, each as `warning: …`; they do not change the outcome. */
export function printWarnings(p: Prepared, cals: CalendarOptions, formatIssue: (i: Prepared['issues'][number]) => string): void {
  reportWarnings(warnings(p, cals, formatIssue));
}

function reportIssues(p: Prepared, verb: string, formatIssue: (i: Prepared['issues'][number]) => string, note?: string): never {
  for (const i of p.issues) process.stderr.write(formatIssue(i) + '\n');
  if (note) process.stderr.write(note + '\n');
  const n = p.issues.length;
  throw new EasyTaskError('BAD_INPUT', `${n} problem${n === 1 ? '' : 's'} found; nothing was ${verb}.`, 2);
}

const capital = (s: string) => s[0]!.toUpperCase() + s.slice(1);

function describeCounts(p: Prepared): string {
  const tasks = p.items.filter((i) => i.input.kind === 'task').length;
  const groups = p.items.length - tasks;
  return `${tasks} task${tasks === 1 ? '' : 's'}${groups ? `, ${groups} group${groups === 1 ? '' : 's'}` : ''}`;
}

interface WriteOpts {
  replace?: boolean;
  strict?: boolean;
  json?: boolean;
}

interface ValidateOpts extends WriteOpts {
  update?: boolean;
}

async function writeCommand(cmd: Command, path: string, o: WriteOpts, mode: 'insert' | 'update'): Promise<void> {
  const { loadSources, prepare, writeAll, calendarOptions, formatIssue } = await modules();
  const sources = loadSources(path);
  // insert checks the input before it creates a missing home; update needs the home to be there.
  const run = async (h: HomeAccess) => {
    const replace = mode === 'update' || !!o.replace;
    const cals = calendarOptions(h.home);
    const p = await prepare(sources, h.store, { strict: o.strict, replace, mustExist: mode === 'update', now: systemClock.now(), ...cals });
    printWarnings(p, cals, formatIssue);
    if (p.issues.length) reportIssues(p, mode === 'insert' ? 'inserted' : 'updated', formatIssue);
    if (p.items.length === 0) throw new EasyTaskError('BAD_INPUT', `${path}: no definitions found; nothing was ${mode}ed.`, 2);
    const outcomes = await writeAll(await h.create(), p.items, { replace });
    if (o.json) {
      printJson(outcomes.map((r) => ({ action: r.action, kind: r.definition.kind, name: r.definition.def.name, id: r.definition.kind === 'task' ? r.definition.def.tid : r.definition.def.gid })));
      return;
    }
    out(`Validation completed: ${describeCounts(p)} in ${sources.length === 1 ? sources[0]!.file : `${sources.length} files`}.`);
    for (const r of outcomes) {
      const d = r.definition;
      const id = d.kind === 'task' ? `tid ${d.def.tid}` : `gid ${d.def.gid}`;
      const verb = r.action === 'created' ? 'inserted successfully' : r.action === 'updated' ? 'updated successfully' : 'unchanged';
      out(`${capital(d.kind)} ${verb}: ${d.def.name} (${id})`);
    }
  };
  if (mode === 'insert') await withHome(cmd, run);
  else await withStore(cmd, (store) => run({ home: store.home, store, create: async () => store }));
}

export function registerDefinitionCommands(program: Command): void {
  program
    .command('insert')
    .description('validate, then insert tasks and groups from a file, a directory of *.json, or - (stdin)')
    .argument('<file|dir|->', 'definitions: one object, an array, or {"tasks": [...], "groups": [...]}')
    .option('--replace', 'update definitions whose name already exists instead of refusing them')
    .option('--strict', "also enforce EasyTask's full mandatory-field list")
    .option('--json', 'print the outcome per definition as JSON')
    .addHelpText('after', '\nAll or nothing: one invalid definition inserts nothing (exit 2).\nExample:\n  easytask insert examples/hello.json')
    .action(action(async function (this: Command, path: string, o: WriteOpts) {
      await writeCommand(this, path, o, 'insert');
    }));

  program
    .command('update')
    .description('replace existing definitions (matched by name) from a file or directory')
    .argument('<file|dir|->', 'definitions, as for insert')
    .option('--strict', "also enforce EasyTask's full mandatory-field list")
    .option('--json', 'print the outcome per definition as JSON')
    .action(action(async function (this: Command, path: string, o: WriteOpts) {
      await writeCommand(this, path, o, 'update');
    }));

  program
    .command('validate')
    .description('check definitions exactly as insert would (as update would with --update), writing nothing')
    .argument('<file|dir|->', 'definitions, as for insert')
    .option('--strict', "also enforce EasyTask's full mandatory-field list")
    .option('--update', 'check as update would: each definition must already be stored, and is checked as its replacement')
    .option('--replace', 'check as insert --replace would: a stored name is checked as an update, a new one as an insert')
    .option('--json', 'print the problems as JSON')
    .addHelpText(
      'after',
      '\nWithout --update or --replace a name already in the store is a problem, as it is for insert.\nWithout a home, nothing is compared with a store (--update needs one).\nExample:\n  easytask validate tasks.json && easytask update tasks.json\n  easytask validate --update tasks.json',
    )
    .action(action(async function (this: Command, path: string, o: ValidateOpts) {
      const { loadSources, prepare, calendarOptions, formatIssue, openStore, storePath } = await modules();
      if (o.update && o.replace) throw new EasyTaskError('BAD_INPUT', 'validate takes --update or --replace, not both', 2);
      const home = homeFor(this);
      const hasStore = existsSync(storePath(home));
      if (o.update && !hasStore) {
        throw new EasyTaskError('NOT_FOUND', `validate --update checks definitions against the stored ones, and there is no EasyTask home at ${home} (another home: --home or EASYTASK_HOME)`, 2);
      }
      const sources = loadSources(path);
      // Compare with the store only when one exists: validate never creates a home.
      const store = hasStore ? await openStore(home) : undefined;
      try {
        const cals = calendarOptions(home);
        const p = await prepare(sources, store, { strict: o.strict, replace: !!(o.update || o.replace), mustExist: !!o.update, now: systemClock.now(), ...cals });
        // What update (or insert --replace) would do with each definition.
        const plan = store && (o.update || o.replace) && p.issues.length === 0 ? await planOf(store, p) : undefined;
        if (o.json) {
          // Calendar files that cannot be used belong to no definition: their warnings are text.
          printJson({ ok: p.issues.length === 0, definitions: p.items.length, issues: p.issues, warnings: p.warnings, calendar_warnings: cals.unusedBroken(), ...(plan ? { plan } : {}) });
          if (p.issues.length) process.exitCode = 2;
          return;
        }
        reportWarnings(warnings(p, cals, formatIssue));
        if (p.issues.length) {
          const stored = !o.update && !o.replace && p.issues.some((i) => i.pointer.endsWith('/name') && i.message.includes(' already exists in instance '));
          reportIssues(p, 'written (validate never writes)', formatIssue, stored ? 'note: validate --update checks a stored definition as update would (--replace: as insert --replace would)' : undefined);
        }
        out(`Validation completed: ${describeCounts(p)} in ${sources.length === 1 ? sources[0]!.file : `${sources.length} files`}; no problems found.`);
        for (const d of plan ?? []) out(`${capital(d.kind)} ${d.name}: would be ${d.action === 'update' ? 'updated' : 'inserted'}`);
      } finally {
        await store?.close();
      }
    }));
}

/** Whether update (or insert --replace) would update or insert each definition of a batch. */
async function planOf(store: Store, p: Prepared): Promise<{ kind: 'task' | 'group'; name: string; action: 'update' | 'insert' }[]> {
  const plan: { kind: 'task' | 'group'; name: string; action: 'update' | 'insert' }[] = [];
  for (const i of p.items) plan.push({ kind: i.input.kind, name: i.input.def.name, action: (await store.defs.byName(i.input.def.name, i.input.def.instance)) ? 'update' : 'insert' });
  return plan;
}
