// A --task or --group filter given as a name or a numeric tid/gid, resolved to the name the history is kept under.
import { badInput, notFound } from '../core/errors.js';
import type { Store } from '../store/index.js';

type Kind = 'task' | 'group';

/**
 * The name a --task/--group filter stands for. Digits are a tid (gid) first; a name is taken as it is when a
 * definition or the history knows it (a deleted task keeps its runs and events). Anything else exits 2.
 */
export function filterName(store: Store, ref: string, kind: Kind): string {
  const option = `--${kind}`;
  const idField = kind === 'task' ? 'tid' : 'gid';
  const defs = store.defs.all(kind).map((s) => s.definition);
  if (/^\d+$/.test(ref)) {
    const id = Number(ref);
    const hits = defs.filter((d) => (d.kind === 'task' ? d.def.tid : d.def.gid) === id);
    const names = [...new Set(hits.map((d) => d.def.name))];
    if (names.length === 1) return names[0]!;
    if (names.length > 1) {
      throw badInput(`${option} ${ref}: ${idField} ${ref} is ${hits.map((d) => `"${d.def.name}" in instance ${d.def.instance}`).join(' and ')}; give the name instead`);
    }
  }
  if (defs.some((d) => d.def.name === ref) || inHistory(store, ref, kind)) return ref;
  const other = store.defs.all(kind === 'task' ? 'group' : 'task').find((s) => s.definition.def.name === ref);
  if (other) throw badInput(`${option} ${ref}: "${ref}" is a ${other.definition.kind}, not a ${kind}; use --${other.definition.kind}`);
  throw notFound(`${option} ${ref}: no ${kind} has that name${/^\d+$/.test(ref) ? ` or ${idField}` : ''} (see: easytask list)`);
}

function inHistory(store: Store, name: string, kind: Kind): boolean {
  const q = kind === 'task'
    ? 'SELECT 1 FROM runs WHERE task_name = ? UNION ALL SELECT 1 FROM events WHERE task = ? LIMIT 1'
    : 'SELECT 1 FROM group_runs WHERE group_name = ? UNION ALL SELECT 1 FROM events WHERE group_name = ? LIMIT 1';
  return store.db.prepare(q).get(name, name) !== undefined;
}
