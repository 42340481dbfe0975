// Task and group definitions on PostgreSQL: the same normalised JSON and task.* / group.* events as the embedded driver, each change one unit.
import type { Clock } from '../../core/clock.js';
import { DEFAULTS } from '../../core/defaults.js';
import { EasyTaskError, notFound } from '../../core/errors.js';
import type { DefinitionEventType } from '../../core/events.js';
import type { Definition, GroupDef, TaskDef } from '../../core/task.js';
import { askerData } from '../../core/asker.js';
import type { Asker, DefinitionChange, DefinitionStore } from '../contract.js';
import type { DefinitionInput, StoredDefinition, WriteOutcome } from '../rows.js';
import type { Db, EventHandle, Unit } from './unit.js';

/** Thrown inside a dry run's unit to roll it back, carrying what it would have done. */
class DryRun {
  constructor(readonly result: { written: WriteOutcome[]; removed: number[] }) {}
}

/** A pool or a unit: what the reads need. */
interface Reader {
  rows<R>(text: string, params?: unknown[]): Promise<R[]>;
}

interface DefinitionRow {
  id: number;
  kind: 'task' | 'group';
  ext_id: number;
  name: string;
  instance: string;
  active: boolean;
  group_name: string | null;
  /** TEXT, not JSONB: the definition's keys keep their order. */
  body: string;
  version: number;
  created_at: number;
  updated_at: number;
}

const extIdOf = (d: Definition): number => (d.kind === 'task' ? d.def.tid : d.def.gid);
const groupOf = (d: Definition): string | null => (d.kind === 'task' ? (d.def.task_group ?? null) : null);

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

/**
 * Definition writers take turns, as SQLite's one writer does: a change reads names and the highest
 * tid/gid, then writes, and two hosts interleaving would both pick the same id. Plain reads do not wait.
 */
const lockWriters = (u: Unit) => u.count('LOCK TABLE definitions IN SHARE ROW EXCLUSIVE MODE');

export class PgDefinitions implements DefinitionStore {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async all(kind?: 'task' | 'group'): Promise<StoredDefinition[]> {
    // COLLATE "C": byte order, as SQLite's BINARY collation sorts.
    const rows = kind
      ? await this.db.rows<DefinitionRow>('SELECT * FROM definitions WHERE kind = $1 ORDER BY instance COLLATE "C", name COLLATE "C"', [kind])
      : await this.db.rows<DefinitionRow>('SELECT * FROM definitions ORDER BY kind COLLATE "C", instance COLLATE "C", name COLLATE "C"');
    return rows.map(toStored);
  }

  find(ref: string, instance?: string): Promise<StoredDefinition | undefined> {
    return this.findIn(this.db, ref, instance);
  }

  get(ref: string, instance?: string): Promise<StoredDefinition> {
    return this.getIn(this.db, ref, instance);
  }

  byName(name: string, instance: string): Promise<StoredDefinition | undefined> {
    return this.byNameIn(this.db, name, instance);
  }

  async byExtId(kind: 'task' | 'group', id: number, instance: string): Promise<StoredDefinition | undefined> {
    const [r] = await this.db.rows<DefinitionRow>('SELECT * FROM definitions WHERE kind = $1 AND ext_id = $2 AND instance = $3', [kind, id, instance]);
    return r ? toStored(r) : undefined;
  }

  async membersOf(group: string, instance: string): Promise<TaskDef[]> {
    const rows = await this.db.rows<DefinitionRow>(`SELECT * FROM definitions WHERE kind = 'task' AND group_name = $1 AND instance = $2 ORDER BY name COLLATE "C"`, [group, instance]);
    return rows.map((r) => JSON.parse(r.body) as TaskDef);
  }

  async apply(change: DefinitionChange): Promise<{ written: WriteOutcome[]; removed: number[] }> {
    try {
      const done = await this.db.unit(async (u) => {
        await lockWriters(u);
        // Deletions first: the names and ids they held are free for the writes that follow.
        const removed: EventHandle[] = [];
        for (const s of change.remove ?? []) removed.push(await this.remove(u, s));
        const taken = new Set<number>();
        const written: WriteOutcome[] = [];
        for (const input of change.write ?? []) written.push(await this.write(u, input, change.replace, taken));
        // A rolled-back unit's events are never numbered: a dry run cannot tell the seq a deletion would get.
        if (change.dryRun) throw new DryRun({ written, removed: removed.map(() => 0) });
        return { written, removed };
      });
      return { written: done.written, removed: done.removed.map((h) => h.seq ?? 0) };
    } catch (err) {
      if (err instanceof DryRun) return err.result;
      throw err;
    }
  }

  async setActive(ref: string, active: boolean, instance?: string, who: Asker = {}): Promise<{ changed: boolean; definition: Definition; seq?: number }> {
    const done = await this.db.unit(async (u) => {
      await lockWriters(u);
      const s = await this.getIn(u, ref, instance);
      const d = s.definition;
      if (d.def.active === active) return { changed: false as const, definition: d };
      const next = { kind: d.kind, def: { ...d.def, active } } as Definition;
      const version = s.version + 1;
      await u.count('UPDATE definitions SET active = $1, body = $2, version = $3, updated_at = $4 WHERE id = $5', [active, JSON.stringify(next.def), version, this.clock.now(), s.id]);
      const handle = this.emit(u, s.id, version, next, `${d.kind}.${active ? 'enabled' : 'disabled'}` as DefinitionEventType, askerData(who));
      return { changed: true as const, definition: next, handle };
    });
    if (!done.changed) return done;
    return { changed: true, definition: done.definition, seq: done.handle.seq };
  }

  private async findIn(q: Reader, ref: string, instance?: string): Promise<StoredDefinition | undefined> {
    const byId = /^\d+$/.test(ref);
    const key = byId ? Number(ref) : ref;
    // In id order, as SQLite scans the table.
    const rows = await q.rows<DefinitionRow>(
      `SELECT * FROM definitions WHERE ${byId ? 'ext_id = $1' : 'name = $1'} ${instance ? 'AND instance = $2' : ''} ORDER BY id`,
      instance ? [key, instance] : [key],
    );
    if (rows.length > 1) {
      throw new EasyTaskError('BAD_INPUT', `"${ref}" names ${rows.length} definitions in instances ${rows.map((r) => r.instance).join(', ')}; pass --instance`, 2);
    }
    return rows[0] ? toStored(rows[0]) : undefined;
  }

  private async getIn(q: Reader, ref: string, instance?: string): Promise<StoredDefinition> {
    const d = await this.findIn(q, ref, instance);
    if (!d) throw notFound(`no task or group named "${ref}"${instance ? ` in instance ${instance}` : ''} (see: easytask list)`);
    return d;
  }

  private async byNameIn(q: Reader, name: string, instance: string): Promise<StoredDefinition | undefined> {
    const [r] = await q.rows<DefinitionRow>('SELECT * FROM definitions WHERE name = $1 AND instance = $2', [name, instance]);
    return r ? toStored(r) : undefined;
  }

  /** Next free tid or gid in an instance. */
  private async nextExtId(u: Unit, kind: 'task' | 'group', instance: string, taken: ReadonlySet<number>): Promise<number> {
    const r = await u.one<{ m: number | null }>('SELECT MAX(ext_id) AS m FROM definitions WHERE kind = $1 AND instance = $2', [kind, instance]);
    let id = Math.max(r?.m ?? 0, kind === 'task' ? DEFAULTS.firstTid - 1 : DEFAULTS.firstGid - 1) + 1;
    while (taken.has(id)) id++;
    return id;
  }

  /** Insert or (with replace) update, inside the caller's unit. */
  private async write(u: Unit, input: DefinitionInput, replace: boolean, taken: Set<number>): Promise<WriteOutcome> {
    const instance = input.def.instance;
    const existing = await this.byNameIn(u, input.def.name, instance);
    if (existing && !replace) {
      throw new EasyTaskError('CONFLICT', `${input.kind} "${input.def.name}" already exists in instance ${instance}; use --replace or update`, 2);
    }
    if (existing && existing.definition.kind !== input.kind) {
      throw new EasyTaskError('CONFLICT', `"${input.def.name}" is already a ${existing.definition.kind}; it cannot become a ${input.kind}`, 2);
    }
    const def = await this.withId(u, input, existing, taken);
    const clash = await u.one<{ name: string }>('SELECT name FROM definitions WHERE kind = $1 AND instance = $2 AND ext_id = $3 AND name <> $4', [
      def.kind,
      instance,
      extIdOf(def),
      def.def.name,
    ]);
    if (clash) {
      const field = def.kind === 'task' ? 'tid' : 'gid';
      throw new EasyTaskError('CONFLICT', `${field} ${extIdOf(def)} of "${def.def.name}" is already used by "${clash.name}"`, 2);
    }
    return existing ? this.replaceRow(u, existing, def) : this.insertRow(u, def);
  }

  private async withId(u: Unit, input: DefinitionInput, existing: StoredDefinition | undefined, taken: Set<number>): Promise<Definition> {
    const prior = existing ? extIdOf(existing.definition) : undefined;
    if (input.kind === 'task') {
      const tid = input.def.tid ?? prior ?? (await this.nextExtId(u, 'task', input.def.instance, taken));
      taken.add(tid);
      const { tid: _given, ...rest } = input.def;
      return { kind: 'task', def: { tid, ...rest } as TaskDef }; // the id always comes first, as in EasyTask's files
    }
    const gid = input.def.gid ?? prior ?? (await this.nextExtId(u, 'group', input.def.instance, taken));
    taken.add(gid);
    const { gid: _given, ...rest } = input.def;
    return { kind: 'group', def: { gid, ...rest } as GroupDef };
  }

  private async insertRow(u: Unit, d: Definition): Promise<WriteOutcome> {
    const now = this.clock.now();
    const r = await u.one<{ id: number }>(
      `INSERT INTO definitions (kind, ext_id, name, instance, active, group_name, body, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
      [d.kind, extIdOf(d), d.def.name, d.def.instance, Boolean(d.def.active), groupOf(d), JSON.stringify(d.def), now, now],
    );
    this.emit(u, r!.id, 1, d, `${d.kind}.created` as DefinitionEventType, {});
    return { action: 'created', definition: d };
  }

  private async replaceRow(u: Unit, existing: StoredDefinition, d: Definition): Promise<WriteOutcome> {
    const body = JSON.stringify(d.def);
    if (body === JSON.stringify(existing.definition.def)) return { action: 'unchanged', definition: d };
    const version = existing.version + 1;
    await u.count('UPDATE definitions SET ext_id = $1, active = $2, group_name = $3, body = $4, version = $5, updated_at = $6 WHERE id = $7', [
      extIdOf(d),
      Boolean(d.def.active),
      groupOf(d),
      body,
      version,
      this.clock.now(),
      existing.id,
    ]);
    const before = existing.definition.def as unknown as Record<string, unknown>;
    const after = d.def as unknown as Record<string, unknown>;
    const changed = Object.keys({ ...before, ...after }).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
    this.emit(u, existing.id, version, d, `${d.kind}.updated` as DefinitionEventType, { changed });
    return { action: 'updated', definition: d };
  }

  /** Delete with its event, inside the caller's unit; the handle holds the event's seq once committed. */
  private async remove(u: Unit, s: StoredDefinition): Promise<EventHandle> {
    const gone = await u.count('DELETE FROM definitions WHERE id = $1', [s.id]);
    if (gone === 0) throw notFound(`${s.definition.kind} "${s.definition.def.name}" no longer exists in instance ${s.definition.def.instance}`);
    return this.emit(u, s.id, s.version + 1, s.definition, `${s.definition.kind}.deleted` as DefinitionEventType, {});
  }

  private emit(u: Unit, rowId: number, version: number, d: Definition, type: DefinitionEventType, extra: Record<string, unknown>): EventHandle {
    const isTask = d.kind === 'task';
    return u.event({
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
