// easytask import-crontab: a crontab as task definitions, printed as JSON or inserted.
import { Option, type Command } from 'commander';
import { readFileSync } from 'node:fs';
import { decodeUtf8 } from '../../definitions/load.js';
import { resolve } from 'node:path';
import { systemClock } from '../../core/clock.js';
import { badInput, EasyTaskError } from '../../core/errors.js';
import type { Translation } from '../../crontab/index.js';
import { action, out, printJson, withHome } from '../context.js';
import { printWarnings } from './definitions.js';

interface ImportOpts {
  insert?: boolean;
  replace?: boolean;
  json?: boolean;
  format?: 'user' | 'system';
}

function readCrontab(path: string): { text: string; source: string } {
  // Decoded strictly: a byte that is not UTF-8 is refused where it stands, never turned into U+FFFD.
  if (path === '-') return { text: decodeUtf8(readFileSync(0), '<stdin>'), source: '<stdin>' };
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw badInput(`${path}: file does not exist`);
    if (code === 'EACCES') throw badInput(`${path}: permission denied`);
    throw badInput(`${path}: cannot read: ${(err as Error).message}`);
  }
  return { text: decodeUtf8(bytes, path), source: path };
}

/** The users of this machine, for telling a system crontab (with a user column) from a user one. */
function machineUsers(): Set<string> {
  try {
    return new Set(readFileSync('/etc/passwd', 'utf8').split('\n').map((l) => l.split(':')[0]!).filter(Boolean));
  } catch {
    return new Set(['root']);
  }
}

/** Untranslated lines and notes, in line order, then a one-line summary. */
function report(t: Translation, source: string): void {
  const items = [
    ...t.skipped.map((s) => ({ line: s.line, text: `${source}:${s.line}: not translated: ${s.reason}\n    ${s.text}` })),
    ...t.notes.map((n) => ({ line: n.line, text: `${source}:${n.line}: note: ${n.note}` })),
  ].sort((a, b) => a.line - b.line);
  for (const i of items) process.stderr.write(`${i.text}\n`);
  const total = t.tasks.length + t.skipped.length;
  process.stderr.write(`Translated ${t.tasks.length} of ${total} cron line${total === 1 ? '' : 's'} from ${source} (${t.format} format)${t.skipped.length ? `; ${t.skipped.length} not translated` : ''}.\n`);
}

const skippedJson = (t: Translation) => t.skipped.map((s) => ({ line: s.line, text: s.text, reason: s.reason }));

export function registerImportCrontabCommand(program: Command): void {
  program
    .command('import-crontab')
    .description('turn a crontab into task definitions (the cron field): print them as JSON, or insert them')
    .argument('<file|->', 'a crontab: a user one (crontab -l) or a system one with a user column (/etc/crontab, /etc/cron.d/*)')
    .option('--insert', 'insert the tasks (all or nothing, as `insert` does) instead of printing them')
    .option('--replace', 'with --insert: update tasks whose name already exists')
    .option('--json', 'print a report as JSON: the document, the lines not translated and the notes (with --insert: the outcome)')
    .addOption(new Option('--format <format>', 'user, or system (a user column after the time fields); default: guessed').choices(['user', 'system']))
    .addHelpText('after', [
      '',
      'Untranslatable lines (@reboot, bad fields) are listed on stderr with the reason; they do not change the exit code',
      'unless nothing could be translated (exit 1). The tasks keep cron\'s behaviour: catch_up "none", overlap "allow".',
      'Examples:',
      '  easytask import-crontab /etc/crontab > tasks.json',
      '  crontab -l | easytask import-crontab - --insert',
    ].join('\n'))
    .action(action(async function (this: Command, path: string, o: ImportOpts) {
      const { translateCrontab, checkTranslation, detectFormat, formatFromPath, documentOf } = await import('../../crontab/index.js');
      const { machineZone } = await import('../../definitions/apply.js');
      const { userInfo } = await import('node:os');
      const { text, source } = readCrontab(path);
      const users = path === '-' ? undefined : formatFromPath(resolve(path));
      const format = o.format ?? users ?? detectFormat(text, (name) => machineUsers().has(name));
      const t = checkTranslation(translateCrontab(text, { format, source }), { defaultTimezone: machineZone(), defaultOwner: userInfo().username });
      report(t, source);
      if (t.tasks.length === 0) {
        if (t.skipped.length === 0) throw badInput(`${source}: no cron jobs found`);
        throw new EasyTaskError('BAD_INPUT', `none of the ${t.skipped.length} cron line${t.skipped.length === 1 ? '' : 's'} in ${source} could be translated`, 1);
      }
      if (!o.insert) {
        if (o.json) printJson({ format: t.format, document: documentOf(t), skipped: skippedJson(t), notes: t.notes });
        else printJson(documentOf(t));
        return;
      }
      await insertTranslation(this, t, source, o);
    }));
}

async function insertTranslation(cmd: Command, t: Translation, source: string, o: ImportOpts): Promise<void> {
  const { prepare, writeAll, formatIssue } = await import('../../definitions/apply.js');
  const { documentOf } = await import('../../crontab/index.js');
  const { calendarOptions } = await import('../calendars.js');
  // The translation is checked before a missing home is created, so a refused one creates nothing.
  await withHome(cmd, async ({ home, store, create }) => {
    const sources = [{ file: source, text: JSON.stringify(documentOf(t)) }];
    const cals = calendarOptions(home);
    const p = await prepare(sources, store, { replace: !!o.replace, now: systemClock.now(), ...cals });
    printWarnings(p, cals, formatIssue);
    if (p.issues.length) {
      for (const i of p.issues) process.stderr.write(formatIssue(i) + '\n');
      throw badInput(`${p.issues.length} problem${p.issues.length === 1 ? '' : 's'} found; nothing was inserted.`);
    }
    const outcomes = await writeAll(await create(), p.items, { replace: !!o.replace });
    const rows = outcomes.map((r, i) => ({ action: r.action, name: r.definition.def.name, tid: r.definition.kind === 'task' ? r.definition.def.tid : undefined, line: t.tasks[i]!.line }));
    if (o.json) return printJson({ inserted: rows, skipped: skippedJson(t), notes: t.notes });
    for (const r of rows) out(`Task ${r.action === 'created' ? 'inserted' : r.action === 'updated' ? 'updated' : 'unchanged'}: ${r.name} (tid ${r.tid}) from line ${r.line}`);
  });
}
