// A --task or --group filter given as a name or a numeric tid/gid, resolved to what the history is kept under.
import { badInput, notFound } from '../core/errors.js';
import type { Store } from '../store/index.js';

type Kind = 'task' | 'group';

/**
 * What a --task/--group filter stands for. The history is matched by `name`, and by `id` too when the filter was
 * given as a tid (gid). `instance` is undefined only for a followed name nothing knows yet.
 */
export interface FilterRef {
  name: string;
  id?: number;
  instance?: string;
  /** Nothing knows the name yet (allowed only with allowUnknownName). */
  unknown?: true;
}

interface Candidate {
  name: string;
  instance: string;
}

/**
 * Resolve a --task/--group filter, within `instance` when one is given. Digits are a tid (gid) first, looked up
 * in the definitions and, when no definition has it (deleted), in the history; a name is looked up the same way.
 * A ref found in several instances needs --instance; anything not found exits 2, except a name when
 * `allowUnknownName` is set (a follower started before the task is inserted), which is matched by name.
 */
export async function resolveFilterRef(store: Store, ref: string, kind: Kind, opts: { instance?: string; allowUnknownName?: boolean } = {}): Promise<FilterRef> {
  const option = `--${kind}`;
  const idField = kind === 'task' ? 'tid' : 'gid';
  const inInstance = opts.instance === undefined ? '' : ` in instance ${opts.instance}`;
  const only = (cs: Candidate[]) => (opts.instance === undefined ? cs : cs.filter((c) => c.instance === opts.instance));
  const defs = (await store.defs.all(kind)).map((s) => s.definition);
  const numeric = /^\d+$/.test(ref);
  if (numeric) {
    const id = Number(ref);
    let hits = only(defs.filter((d) => (d.kind === 'task' ? d.def.tid : d.def.gid) === id).map((d) => ({ name: d.def.name, instance: d.def.instance })));
    if (hits.length === 0) hits = only(await historyById(store, id, kind));
    if (hits.length > 1) {
      throw badInput(`${option} ${ref}: ${idField} ${ref} is ${hits.map((h) => `"${h.name}" in instance ${h.instance}`).join(' and ')}; add --instance to choose one`);
    }
    if (hits.length === 1) return { name: hits[0]!.name, id, instance: hits[0]!.instance };
  }
  let instances = [...new Set(only(defs.filter((d) => d.def.name === ref).map((d) => ({ name: ref, instance: d.def.instance }))).map((c) => c.instance))];
  if (instances.length === 0) instances = [...new Set(only(await historyByName(store, ref, kind)).map((c) => c.instance))];
  if (instances.length > 1) throw badInput(`${option} ${ref}: "${ref}" is in instances ${instances.join(' and ')}; add --instance to choose one`);
  if (instances.length === 1) return { name: ref, instance: instances[0]! };
  const otherKind: Kind = kind === 'task' ? 'group' : 'task';
  const other = (await store.defs.all(otherKind)).find((s) => s.definition.def.name === ref && (opts.instance === undefined || s.definition.def.instance === opts.instance));
  if (other) throw badInput(`${option} ${ref}: "${ref}" is a ${otherKind}, not a ${kind}; use --${otherKind}`);
  if (opts.allowUnknownName && !numeric) return { name: ref, instance: opts.instance, unknown: true };
  throw notFound(`${option} ${ref}: no ${kind} has that name${numeric ? ` or ${idField}` : ''}${inInstance} (see: easytask list)`);
}

/**
 * The instances whose history holds this tid (gid), each with the latest name it was recorded under. Runs
 * (group runs) come first, through their indexes; the events are read only for a task that never ran (its
 * definition events), since the runs are what there is to list otherwise. Groups are not looked up in the
 * events: only their cycles' runs are listed, and a gid sits inside an event's data, where no index reaches.
 */
async function historyById(store: Store, id: number, kind: Kind): Promise<Candidate[]> {
  if (kind === 'group') return store.groupRuns.namesOfGroupId(id);
  const ran = await store.runs.namesOfTaskId(id);
  if (ran.length) return ran;
  return store.events.namesOfTaskId(id);
}

/** The instances whose history holds this task (group) name: the runs (group runs) first, then the events (indexed by task name). */
async function historyByName(store: Store, name: string, kind: Kind): Promise<Candidate[]> {
  const sources = kind === 'task'
    ? [() => store.runs.instancesOfTask(name), () => store.events.instancesOfTask(name)]
    : [() => store.groupRuns.instancesOfGroup(name)];
  for (const source of sources) {
    const found = (await source()).map((instance) => ({ name, instance }));
    if (found.length) return found.sort((a, b) => a.instance.localeCompare(b.instance));
  }
  return [];
}
