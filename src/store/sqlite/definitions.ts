// Task and group definitions: stored as normalised JSON, every change appending a task.* / group.* event.
import { sql } from './statements.js';
import type { Database } from 'better-sqlite3';
import type { Clock } from '../../core/clock.js';
import { DEFAULTS } from '../../core/defaults.js';
import { EasyTaskError, notFound } from '../../core/errors.js';
import type { DefinitionEventType } from '../../core/events.js';
import type { Definition, GroupDef, TaskDef } from '../../core/task.js';
import { askerData } from '../../core/asker.js';
import type { Asker, DefinitionChange, DefinitionStore } from '../contract.js';
import type { DefinitionInput, StoredDefinition, WriteOutcome } from '../rows.js';
import type { EventLog } from './events.js';
import type { Sync } from './promised.js';
import { tx } from './tx.js';

/** Thrown inside a dry run's transaction to roll it back, carrying what it would have done. */
class DryRun {
  constructor(readonly result: { written: WriteOutcome[]; removed: number[] }) {}
}

interface DefinitionRow {
  id: number;
  kind: 'task' | 'group';
  ext_id: number;
  name: string;
  instance: string;
  active: number;
  group_name: string | null;
  body: string;
  version: number;
  created_at: number;
  updated_at: number;
}

const extIdOf = (d: Definition): number => (d.kind === 'task' ? d.def.tid : d.def.gid);

function toStored(r: DefinitionRow): StoredDefinition {
  const def = JSON.parse(r.body);
  return {
    id: r.id,
    version: r.version,
    created_at: r.created_at,
    updated_at: r.updated_at,
    definition: r.kind === 'task' ? { kind: 'task', def } : { kind: 'group', def },
  };
}

export class Definitions implements Sync<DefinitionStore> {
  constructor(
    private readonly db: Database,
    private readonly events: EventLog,
    private readonly clock: Clock,
  ) {}

  all(kind?: 'task' | 'group'): StoredDefinition[] {
    const rows = (
      kind
        ? sql(this.db, 'SELECT * FROM definitions WHERE kind = ? ORDER BY instance, name').all(kind)
        : sql(this.db, 'SELECT * FROM definitions ORDER BY kind, instance, name').all()
    ) as DefinitionRow[];
    return rows.map(toStored);
  }

  /** Find by name or numeric tid/gid; an ambiguous reference across instances is an error. */
  find(ref: string, instance?: string): StoredDefinition | undefined {
    const byId = /^\d+$/.test(ref);
    const rows = sql(this.db, 
        `SELECT * FROM definitions WHERE ${byId ? 'ext_id = ?' : 'name = ?'} ${instance ? 'AND instance = ?' : ''}`,
      )
      .all(...(instance ? [byId ? Number(ref) : ref, instance] : [byId ? Number(ref) : ref])) as DefinitionRow[];
    if (rows.length > 1) {
      throw new EasyTaskError('BAD_INPUT', `"${ref}" names ${rows.length} definitions in instances ${rows.map((r) => r.instance).join(', ')}; pass --instance`, 2);
    }
    return rows[0] ? toStored(rows[0]) : undefined;
  }

  get(ref: string, instance?: string): StoredDefinition {
    const d = this.find(ref, instance);
    if (!d) throw notFound(`no task or group named "${ref}"${instance ? ` in instance ${instance}` : ''} (see: easytask list)`);
    return d;
  }

  byName(name: string, instance: string): StoredDefinition | undefined {
    const r = sql(this.db, 'SELECT * FROM definitions WHERE name = ? AND instance = ?').get(name, instance) as DefinitionRow | undefined;
    return r ? toStored(r) : undefined;
  }

  byExtId(kind: 'task' | 'group', id: number, instance: string): StoredDefinition | undefined {
    const r = sql(this.db, 'SELECT * FROM definitions WHERE kind = ? AND ext_id = ? AND instance = ?').get(kind, id, instance) as DefinitionRow | undefined;
    return r ? toStored(r) : undefined;
  }

  membersOf(group: string, instance: string): TaskDef[] {
    const rows = sql(this.db, `SELECT * FROM definitions WHERE kind = 'task' AND group_name = ? AND instance = ? ORDER BY name`)
      .all(group, instance) as DefinitionRow[];
    return rows.map((r) => JSON.parse(r.body) as TaskDef);
  }

  /** Next free tid or gid in an instance. */
  private nextExtId(kind: 'task' | 'group', instance: string, taken: ReadonlySet<number> = new Set()): number {
    const r = sql(this.db, 'SELECT MAX(ext_id) AS m FROM definitions WHERE kind = ? AND instance = ?').get(kind, instance) as { m: number | null };
    let id = Math.max(r.m ?? 0, kind === 'task' ? DEFAULTS.firstTid - 1 : DEFAULTS.firstGid - 1) + 1;
    while (taken.has(id)) id++;
    return id;
  }

  apply(change: DefinitionChange): { written: WriteOutcome[]; removed: number[] } {
    try {
      return tx(this.db, () => {
        // Deletions first: the names and ids they held are free for the writes that follow.
        const removed = (change.remove ?? []).map((s) => this.remove(s));
        const taken = new Set<number>();
        const written = (change.write ?? []).map((input) => this.write(input, { replace: change.replace }, taken));
        if (change.dryRun) throw new DryRun({ written, removed });
        return { written, removed };
      });
    } catch (err) {
      if (err instanceof DryRun) return err.result;
      throw err;
    }
  }

  /** Insert or (with replace) update, inside the caller's transaction. */
  private write(input: DefinitionInput, opts: { replace: boolean }, taken: Set<number> = new Set()): WriteOutcome {
    const instance = input.def.instance;
    const existing = this.byName(input.def.name, instance);
    if (existing && !opts.replace) {
      throw new EasyTaskError('CONFLICT', `${input.kind} "${input.def.name}" already exists in instance ${instance}; use --replace or update`, 2);
    }
    if (existing && existing.definition.kind !== input.kind) {
      throw new EasyTaskError('CONFLICT', `"${input.def.name}" is already a ${existing.definition.kind}; it cannot become a ${input.kind}`, 2);
    }
    const def = this.withId(input, existing, taken);
    const clash = sql(this.db, 'SELECT name FROM definitions WHERE kind = ? AND instance = ? AND ext_id = ? AND name <> ?')
      .get(def.kind, instance, extIdOf(def), def.def.name) as { name: string } | undefined;
    if (clash) {
      const field = def.kind === 'task' ? 'tid' : 'gid';
      throw new EasyTaskError('CONFLICT', `${field} ${extIdOf(def)} of "${def.def.name}" is already used by "${clash.name}"`, 2);
    }
    if (existing) return this.replaceRow(existing, def);
    return this.insertRow(def);
  }

  private withId(input: DefinitionInput, existing: StoredDefinition | undefined, taken: Set<number>): Definition {
    const prior = existing ? extIdOf(existing.definition) : undefined;
    if (input.kind === 'task') {
      const tid = input.def.tid ?? prior ?? this.nextExtId('task', input.def.instance, taken);
      taken.add(tid);
      const { tid: _given, ...rest } = input.def;
      return { kind: 'task', def: { tid, ...rest } as TaskDef }; // the id always comes first, as in EasyTask's files
    }
    const gid = input.def.gid ?? prior ?? this.nextExtId('group', input.def.instance, taken);
    taken.add(gid);
    const { gid: _given, ...rest } = input.def;
    return { kind: 'group', def: { gid, ...rest } as GroupDef };
  }

  private insertRow(d: Definition): WriteOutcome {
    const now = this.clock.now();
    const res = sql(this.db, 
        `INSERT INTO definitions (kind, ext_id, name, instance, active, group_name, body, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(d.kind, extIdOf(d), d.def.name, d.def.instance, d.def.active ? 1 : 0, groupOf(d), JSON.stringify(d.def), now, now);
    this.emit(Number(res.lastInsertRowid), 1, d, `${d.kind}.created` as DefinitionEventType, {});
    return { action: 'created', definition: d };
  }

  private replaceRow(existing: StoredDefinition, d: Definition): WriteOutcome {
    const body = JSON.stringify(d.def);
    if (body === JSON.stringify(existing.definition.def)) return { action: 'unchanged', definition: d };
    const version = existing.version + 1;
    sql(this.db, 'UPDATE definitions SET ext_id = ?, active = ?, group_name = ?, body = ?, version = ?, updated_at = ? WHERE id = ?')
      .run(extIdOf(d), d.def.active ? 1 : 0, groupOf(d), body, version, this.clock.now(), existing.id);
    const changed = Object.keys({ ...existing.definition.def, ...d.def }).filter(
      (k) => JSON.stringify((existing.definition.def as unknown as Record<string, unknown>)[k]) !== JSON.stringify((d.def as unknown as Record<string, unknown>)[k]),
    );
    this.emit(existing.id, version, d, `${d.kind}.updated` as DefinitionEventType, { changed });
    return { action: 'updated', definition: d };
  }

  /** Enable or disable; returns false when it already had that state. */
  setActive(ref: string, active: boolean, instance?: string, who: Asker = {}): { changed: boolean; definition: Definition; seq?: number } {
    return tx(this.db, () => {
      const s = this.get(ref, instance);
      const d = s.definition;
      if (d.def.active === active) return { changed: false, definition: d };
      const next = { kind: d.kind, def: { ...d.def, active } } as Definition;
      const version = s.version + 1;
      sql(this.db, 'UPDATE definitions SET active = ?, body = ?, version = ?, updated_at = ? WHERE id = ?')
        .run(active ? 1 : 0, JSON.stringify(next.def), version, this.clock.now(), s.id);
      const seq = this.emit(s.id, version, next, `${d.kind}.${active ? 'enabled' : 'disabled'}` as DefinitionEventType, askerData(who));
      return { changed: true, definition: next, seq };
    });
  }

  /** Delete with its event, inside the caller's transaction; returns the event's seq. */
  private remove(s: StoredDefinition): number {
    const gone = sql(this.db, 'DELETE FROM definitions WHERE id = ?').run(s.id).changes;
    if (gone === 0) throw notFound(`${s.definition.kind} "${s.definition.def.name}" no longer exists in instance ${s.definition.def.instance}`);
    return this.emit(s.id, s.version + 1, s.definition, `${s.definition.kind}.deleted` as DefinitionEventType, {}) ?? 0;
  }

  private emit(rowId: number, version: number, d: Definition, type: DefinitionEventType, extra: Record<string, unknown>): number | undefined {
    const isTask = d.kind === 'task';
    return this.events.append({
      key: `def:${rowId}:v${version}:${type}`,
      type,
      time: this.clock.now(),
      instance: d.def.instance,
      task: isTask ? d.def.name : null,
      task_id: isTask ? d.def.tid : null,
      group: isTask ? (d.def.task_group ?? null) : d.def.name,
      data: { version, ...(isTask ? { tid: d.def.tid } : { gid: d.def.gid }), ...extra },
    });
  }
}

const groupOf = (d: Definition): string | null => (d.kind === 'task' ? (d.def.task_group ?? null) : null);
