// What every store driver must do, whatever holds the data. It sees a driver only through the Store
// interface (and the hooks of DriverUnderTest); a driver registers itself by calling storeContract()
// with a way to make an empty store (see sqlite.test.ts).
import { describe, expect, it } from 'vitest';
import type { FakeClock } from '../../src/core/clock.js';
import type { TaskDef } from '../../src/core/task.js';
import type { DefinitionInput, Store } from '../../src/store/index.js';
import { insertTask, task } from '../helpers/defs.js';
import { policyContract } from './policy.js';

export interface DriverUnderTest {
  store: Store;
  clock: FakeClock;
  /** The same data through a second connection (another process would see it so). */
  reopen(): Promise<Store>;
  /** The driver's schema: the version this store is at, and the newest the driver knows. */
  schema: { current(): Promise<number>; newest: number };
}

const newRun = (slot: number, over: Partial<{ task_name: string; task_id: number }> = {}) => ({
  task_id: over.task_id ?? 1000001,
  task_name: over.task_name ?? 'a',
  instance: 'default',
  slot,
  max_attempts: 1,
  queue: 'localhost',
});

const taskInput = (name: string, over: Partial<TaskDef> = {}): DefinitionInput => ({ kind: 'task', def: task({ trigger_times: '08:00', ...over, name }) });

export function storeContract(driver: string, make: () => DriverUnderTest | Promise<DriverUnderTest>): void {
  describe(`store contract: ${driver}`, () => {
    it('one run per (task, instance, slot): a second create of the slot is refused and writes no event', async () => {
      const { store } = await make();
      const first = await store.runs.create(newRun(1_000));
      expect(first).toMatchObject({ state: 'ACTIVE', slot: 1_000 });
      const before = await store.events.lastSeq();
      expect(await store.runs.create(newRun(1_000))).toBeUndefined();
      expect(await store.events.lastSeq()).toBe(before);
      expect(await store.runs.create({ ...newRun(1_000), instance: 'green' })).toBeDefined(); // another instance
      expect((await store.events.list({ runId: first!.id })).map((e) => e.type)).toEqual(['run.created']);
    });

    it('a transition and its event are one unit: both written, or (refused) neither', async () => {
      const { store } = await make();
      const run = (await store.runs.create(newRun(2_000)))!;
      const moved = await store.runs.transition({ runId: run.id, event: 'run.triggered', to: 'TRIGGER', patch: { triggered_at: 5 } });
      expect(moved).toMatchObject({ state: 'TRIGGER', version: 1, triggered_at: 5 });
      const seq = await store.events.lastSeq();
      await expect(store.runs.transition({ runId: run.id, event: 'run.succeeded', to: 'SUCCESS' })).rejects.toMatchObject({ code: 'ILLEGAL_TRANSITION' });
      await expect(store.runs.transition({ runId: run.id, event: 'run.accepted', to: 'STARTED', expectVersion: 0 })).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(await store.events.lastSeq()).toBe(seq);
      expect(await store.runs.get(run.id)).toMatchObject({ state: 'TRIGGER', version: 1 });
      const events = await store.events.list({ runId: run.id });
      expect(events.map((e) => [e.type, e.data.from, e.data.to])).toEqual([
        ['run.created', undefined, 'ACTIVE'],
        ['run.triggered', 'ACTIVE', 'TRIGGER'],
      ]);
    });

    it('transitionEach: each request is its own unit, so one refusal leaves the others written', async () => {
      const { store } = await make();
      const [a, b, c] = [(await store.runs.create(newRun(10_000)))!, (await store.runs.create(newRun(11_000)))!, (await store.runs.create(newRun(12_000)))!];
      const out = await store.runs.transitionEach([
        { runId: a.id, event: 'run.triggered', to: 'TRIGGER' },
        { runId: b.id, event: 'run.succeeded', to: 'SUCCESS' },
        { runId: c.id, event: 'run.triggered', to: 'TRIGGER', expectVersion: c.version },
      ]);
      expect(out.map((o) => o.ok)).toEqual([true, false, true]);
      expect(out[1]).toMatchObject({ ok: false, error: { code: 'ILLEGAL_TRANSITION' } });
      expect(out[2]).toMatchObject({ ok: true, value: { id: c.id, state: 'TRIGGER' } });
      expect((await Promise.all([a, b, c].map((r) => store.runs.get(r.id)))).map((r) => r!.state)).toEqual(['TRIGGER', 'ACTIVE', 'TRIGGER']);
      expect((await store.events.list({ runId: b.id })).map((e) => e.type)).toEqual(['run.created']);
      expect(await store.runs.transitionEach([])).toEqual([]);
    });

    it('slots: each slot is recorded once, however often and in however many batches it comes', async () => {
      const { store } = await make();
      const cycle = { gid: 2000001, group_name: 'g', instance: 'default', slot: 5_000, business_date: '19700101' };
      const [first] = await store.slots.record([
        [
          { kind: 'run', run: newRun(5_000) },
          { kind: 'run', run: newRun(6_000), skip: { reason: 'missed', data: { why: 'downtime' } } },
          { kind: 'cycle', cycle },
        ],
      ]);
      expect(first).toMatchObject({ ok: true, value: { runs: [{ slot: 5_000, state: 'ACTIVE' }], cycles: [{ slot: 5_000, state: 'ACTIVE' }] } });
      const seq = await store.events.lastSeq();
      const again = await store.slots.record([
        [
          { kind: 'run', run: newRun(5_000) },
          { kind: 'run', run: newRun(6_000) },
        ],
        [{ kind: 'run', run: newRun(5_000) }, { kind: 'cycle', cycle }],
      ]);
      expect(again).toEqual([
        { ok: true, value: { runs: [], cycles: [] } },
        { ok: true, value: { runs: [], cycles: [] } },
      ]);
      expect(await store.events.lastSeq()).toBe(seq);
      const runs = await store.runs.list({ task: 'a' });
      expect(runs.map((r) => [r.slot, r.state, r.reason]).sort()).toEqual([
        [5_000, 'ACTIVE', null],
        [6_000, 'SKIPPED', 'missed'],
      ]);
      expect((await store.groupRuns.recent('g', 'default', 10)).map((g) => g.slot)).toEqual([5_000]);
    });

    it('attempts: an acceptance made from a stale read is refused, and the others in its batch stand', async () => {
      const { store, clock } = await make();
      const trigger = async (slot: number) => {
        const run = (await store.runs.create(newRun(slot)))!;
        return store.runs.transition({ runId: run.id, event: 'run.triggered', to: 'TRIGGER' });
      };
      const [one, two] = [await trigger(20_000), await trigger(21_000)];
      const at = clock.now();
      const [won] = await store.attempts.accept([{ run: one, host: 'h1', at, token: 't1', leaseMs: 60_000 }]);
      expect(won).toMatchObject({ ok: true, value: { id: one.id, state: 'STARTED', attempt: 1, host: 'h1' } });
      const [lost, other] = await store.attempts.accept([
        { run: one, host: 'h2', at: at + 1, token: 't', leaseMs: 60_000 },
        { run: two, host: 'h2', at: at + 1, token: 't', leaseMs: 60_000 },
      ]);
      expect(lost).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
      expect(other).toMatchObject({ ok: true, value: { id: two.id, state: 'STARTED', host: 'h2' } });
      expect(await store.runs.get(one.id)).toMatchObject({ state: 'STARTED', attempt: 1, host: 'h1' });
      expect(await store.attempts.startedAt(one.id, 1)).toBe(at);
      expect((await store.events.list({ runId: one.id })).map((e) => e.type)).toEqual(['run.created', 'run.triggered', 'run.accepted']);
    });

    it('attempts: held under a token and a lease; a lease that ran out is found, recovered once, and its late reports are refused', async () => {
      const { store, clock } = await make();
      const trigger = async (slot: number) => {
        const run = (await store.runs.create({ ...newRun(slot), max_attempts: 2 }))!;
        return store.runs.transition({ runId: run.id, event: 'run.triggered', to: 'TRIGGER' });
      };
      const [a, b] = [await trigger(40_000), await trigger(41_000)];
      const accepted = await store.attempts.accept([
        { run: a, host: 'h1', at: clock.now(), token: 'ta', leaseMs: 20 },
        { run: b, host: 'h2', at: clock.now(), token: 'tb', leaseMs: 600_000 },
      ]);
      expect(accepted.every((o) => o.ok)).toBe(true);
      // The lease is on the store's clock: a fake one here, the database's in a shared store.
      clock.advance(100);
      await new Promise((r) => setTimeout(r, 100));
      const expired = await store.attempts.expired(0, 10);
      expect(expired.map((e) => [e.run.id, e.token, e.host])).toEqual([[a.id, 'ta', 'h1']]);
      expect(expired[0]!.expired_ms).toBeGreaterThan(0);
      expect(await store.attempts.renew([{ runId: a.id, n: 1, token: 'wrong' }], 600_000)).toEqual(['gone']);
      const lost = { runId: a.id, event: 'run.retrying' as const, to: 'RESTARTING' as const, patch: { reason: 'lost' as const, due_at: clock.now() } };
      const [stale] = await store.attempts.abandoned([{ runId: a.id, n: 1, at: clock.now(), token: 'not-ta', transition: lost }]);
      expect(stale).toMatchObject({ ok: false, error: { code: 'STALE' } });
      const [recovered] = await store.attempts.abandoned([{ runId: a.id, n: 1, at: clock.now(), token: 'ta', transition: lost }]);
      expect(recovered).toMatchObject({ ok: true, value: { state: 'RESTARTING', reason: 'lost' } });
      // The agent that held it comes back: nothing it says about attempt 1 is taken.
      expect(await store.attempts.renew([{ runId: a.id, n: 1, token: 'ta' }], 600_000)).toEqual(['gone']);
      const [late] = await store.attempts.started([{ runId: a.id, attempt: 1, pid: 7, at: clock.now(), stdoutPath: '/o', stderrPath: '/e', token: 'ta' }]);
      expect(late).toMatchObject({ ok: false, error: { code: 'STALE' } });
      const end = { runId: a.id, n: 1, endedAt: clock.now(), durationMs: 5, exitCode: 0, signal: null, reason: null, stdoutBytes: 0, stderrBytes: 0, outputError: null };
      await expect(store.attempts.ended({ token: 'ta', end, transition: { runId: a.id, event: 'run.succeeded', to: 'SUCCESS' } })).rejects.toMatchObject({ code: 'STALE' });
      expect(await store.runs.get(a.id)).toMatchObject({ state: 'RESTARTING', reason: 'lost' });
      // The other one renews, starts and ends under its token.
      expect(await store.attempts.renew([{ runId: b.id, n: 1, token: 'tb' }], 600_000)).toEqual(['held']);
      const [started] = await store.attempts.started([{ runId: b.id, attempt: 1, pid: 8, at: clock.now(), stdoutPath: '/o', stderrPath: '/e', token: 'tb' }]);
      expect(started).toMatchObject({ ok: true, value: { state: 'RUNNING', pid: 8 } });
      // A terminate of it (answered by a leader that does not hold it) reaches its agent at the next renewal.
      const cmd = await store.commands.enqueue('terminate', 'a', {});
      await store.commands.carryOut(cmd, { kind: 'transitions', requests: [], stop: [{ runId: b.id, n: 1 }] }, () => ({ ok: true, message: 'asked' }));
      expect(await store.attempts.renew([{ runId: b.id, n: 1, token: 'tb' }], 600_000)).toEqual(['terminate']);
      const endB = { ...end, runId: b.id };
      expect(await store.attempts.ended({ token: 'tb', end: endB, transition: { runId: b.id, event: 'run.succeeded', to: 'SUCCESS', patch: { exit_code: 0 } } })).toMatchObject({ state: 'SUCCESS' });
      expect(await store.attempts.expired(0, 10)).toEqual([]);
    });

    it('previousFinal: the latest earlier run of the task and instance that ended with an outcome; lastAttemptOutput: its bytes', async () => {
      const { store, clock } = await make();
      const end = async (slot: number, to: 'SUCCESS' | 'FAILED', bytes: [number, number], over: Partial<{ task_name: string; instance: string }> = {}) => {
        const run = (await store.runs.create({ ...newRun(slot), ...over }))!;
        const t = await store.runs.transition({ runId: run.id, event: 'run.triggered', to: 'TRIGGER' });
        const token = `t${slot}`;
        await store.attempts.accept([{ run: t, host: 'h', at: clock.now(), token, leaseMs: 600_000 }]);
        const e = { runId: run.id, n: 1, endedAt: clock.now(), durationMs: 5, exitCode: to === 'SUCCESS' ? 0 : 1, signal: null, reason: null, stdoutBytes: bytes[0], stderrBytes: bytes[1], outputError: null };
        const start = { runId: run.id, attempt: 1, pid: 1, at: clock.now(), stdoutPath: '/o', stderrPath: '/e', token };
        return store.attempts.ended({ token, start, end: e, transition: { runId: run.id, event: to === 'SUCCESS' ? 'run.succeeded' : 'run.failed', to, patch: { ended_at: clock.now() } } });
      };
      const first = await end(90_000, 'SUCCESS', [0, 0]);
      expect(await store.runs.previousFinal(first)).toBeUndefined();
      expect(await store.runs.lastAttemptOutput(first)).toEqual({ stdout_bytes: 0, stderr_bytes: 0 });
      await end(90_500, 'FAILED', [1, 1], { task_name: 'other' });
      await end(90_600, 'FAILED', [1, 1], { instance: 'green' });
      const skipped = (await store.runs.create(newRun(91_000)))!;
      await store.runs.transition({ runId: skipped.id, event: 'run.skipped', to: 'SKIPPED', patch: { reason: 'missed' } });
      const second = await end(92_000, 'FAILED', [12, 3]);
      expect((await store.runs.previousFinal(second))?.id).toBe(first.id); // the other task, instance and the SKIPPED run are passed over
      expect(await store.runs.lastAttemptOutput(second)).toEqual({ stdout_bytes: 12, stderr_bytes: 3 });
      const third = await end(93_000, 'SUCCESS', [0, 0]);
      expect(await store.runs.previousFinal(third)).toMatchObject({ id: second.id, state: 'FAILED' });
      const live = (await store.runs.create(newRun(94_000)))!;
      expect(await store.runs.lastAttemptOutput(live)).toBeNull();
      expect((await store.runs.previousFinal(live))?.id).toBe(third.id);
    });

    it('agents: registered with their queues, beating, listed with the age of their heartbeat, stopped', async () => {
      const { store, clock } = await make();
      await store.agents.register({ host: 'h1', pid: 11, kind: 'daemon', queues: ['h1', 'localhost'], version: '1.0.0' });
      await store.agents.register({ host: 'h2', pid: 22, kind: 'agent', queues: ['h2', 'gpu'], version: '1.0.0' });
      await store.agents.beat('h2', 22, 3);
      clock.advance(10);
      await store.agents.stop('h1', 11);
      const list = await store.agents.list();
      expect(list.map((a) => [a.host, a.pid, a.kind, a.queues, a.live_runs, a.stopped_at === null])).toEqual([
        ['h1', 11, 'daemon', ['h1', 'localhost'], 0, false],
        ['h2', 22, 'agent', ['h2', 'gpu'], 3, true],
      ]);
      expect(list.every((a) => a.age_ms >= 0)).toBe(true);
      await store.agents.register({ host: 'h1', pid: 11, kind: 'daemon', queues: ['h1'], version: '1.0.1' }); // a restart with the same pid
      expect((await store.agents.list())[0]).toMatchObject({ host: 'h1', queues: ['h1'], version: '1.0.1', stopped_at: null });
    });

    it('runs: the latest run of each task, with when its attempt was accepted, in the order asked', async () => {
      const { store, clock } = await make();
      const r1 = (await store.runs.create(newRun(30_000, { task_name: 'p' })))!;
      const r2 = (await store.runs.create(newRun(31_000, { task_name: 'p' })))!;
      await store.runs.create(newRun(30_500, { task_name: 'q', task_id: 1000002 }));
      const trig = await store.runs.transition({ runId: r2.id, event: 'run.triggered', to: 'TRIGGER' });
      const [accepted] = await store.attempts.accept([{ run: trig, host: 'h', at: clock.now(), token: 't', leaseMs: 60_000 }]);
      expect(accepted!.ok).toBe(true);
      const latest = await store.runs.latestOfTasks([
        { task: 'nothing', instance: 'default' },
        { task: 'p', instance: 'default' },
        { task: 'q', instance: 'default' },
      ]);
      expect(latest[0]).toBeUndefined();
      expect(latest[1]).toMatchObject({ run: { id: r2.id, state: 'STARTED', attempt: 1 }, attemptStartedAt: clock.now() });
      expect(latest[2]).toMatchObject({ run: { task_name: 'q', attempt: 0 }, attemptStartedAt: null });
      expect(r1.id).not.toBe(r2.id);
    });

    it('commands: carrying one out acknowledges it once; a withdrawn one, or a refused effect, changes nothing', async () => {
      const { store } = await make();
      const force = (slot: number) => ({ kind: 'force-run' as const, run: { ...newRun(slot), origin: 'force' as const }, trigger: {} });
      const answer = (r: { kind: string; run?: { id: number } }) => ({ ok: true, message: `run ${r.run?.id}`, data: { run: r.run?.id } });
      const id = await store.commands.enqueue('force-run', 'a', { date: '20260301' });
      expect(await store.commands.pending()).toMatchObject([{ id, kind: 'force-run', target: 'a', acked_at: null }]);
      const done = await store.commands.carryOut(id, force(30_000), answer);
      const runs = await store.runs.list({ task: 'a' });
      expect(runs).toMatchObject([{ slot: 30_000, state: 'TRIGGER', origin: 'force' }]);
      expect(done).toEqual({ ok: true, message: `run ${runs[0]!.id}`, data: { run: runs[0]!.id } });
      expect(await store.commands.get(id)).toMatchObject({ ok: 1, message: `run ${runs[0]!.id}`, result: JSON.stringify({ run: runs[0]!.id }) });
      expect((await store.commands.get(id))!.acked_at).not.toBeNull();
      // Once: a second carry-out, or a plain acknowledgement, finds it answered.
      expect(await store.commands.carryOut(id, force(30_000), answer)).toBeUndefined();
      expect(await store.commands.ack(id, { ok: false, message: 'late' })).toBe(false);
      expect(await store.runs.list({ task: 'a' })).toHaveLength(1);
      expect(await store.commands.pending()).toEqual([]);

      const withdrawn = await store.commands.enqueue('force-run', 'a');
      expect(await store.commands.withdraw(withdrawn)).toBe(true);
      const seq = await store.events.lastSeq();
      expect(await store.commands.carryOut(withdrawn, force(31_000), answer)).toBeUndefined();
      expect(await store.commands.ack(withdrawn, { ok: true, message: 'x' })).toBe(false);
      expect(await store.commands.withdraw(withdrawn)).toBe(false);
      expect(await store.events.lastSeq()).toBe(seq);
      expect(await store.runs.list({ task: 'a' })).toHaveLength(1);

      const refused = await store.commands.enqueue('terminate', 'a');
      const run = (await store.runs.create(newRun(32_000)))!;
      await expect(store.commands.carryOut(refused, { kind: 'transitions', requests: [{ runId: run.id, event: 'run.skipped', to: 'SKIPPED' }, { runId: run.id, event: 'run.succeeded', to: 'SUCCESS' }] }, () => ({ ok: true, message: 'no' })))
        .rejects.toMatchObject({ code: 'ILLEGAL_TRANSITION' });
      expect(await store.commands.get(refused)).toMatchObject({ acked_at: null });
      expect(await store.runs.get(run.id)).toMatchObject({ state: 'ACTIVE' }); // the effect is one unit with its acknowledgement
      expect(await store.commands.ack(refused, { ok: false, message: 'refused' })).toBe(true);
      expect(await store.commands.get(refused)).toMatchObject({ ok: 0, message: 'refused', result: null });
    });

    it('daemon lease: taken when free, refused while held, beaten and released by its holder only', async () => {
      const d = await make();
      const lease = d.store.daemonLease;
      expect(await lease.read()).toBeUndefined();
      expect(await lease.acquire({ pid: 101, host: 'h', version: '1.0.0' }, 1_000, () => true)).toEqual({ taken: true, previous: undefined });
      const held = await lease.acquire({ pid: 202, host: 'h', version: '1.0.1' }, 2_000, (current) => current.pid === 101);
      expect(held).toMatchObject({ taken: false, holder: { pid: 101, started_at: 1_000 } });
      await lease.beat(101, 3_000, '{"cause":"disk_full"}');
      await lease.beat(202, 3_500, null); // not the holder: no effect
      expect(await (await d.reopen()).daemonLease.read()).toMatchObject({ pid: 101, host: 'h', version: '1.0.0', started_at: 1_000, heartbeat_at: 3_000, stopped_at: null, degraded: '{"cause":"disk_full"}' });
      // Taken over once the holder no longer holds it (e.g. its process is gone).
      const taken = await lease.acquire({ pid: 202, host: 'h', version: '1.0.1' }, 4_000, () => false);
      expect(taken).toMatchObject({ taken: true, previous: { pid: 101, heartbeat_at: 3_000 } });
      expect(await lease.read()).toMatchObject({ pid: 202, version: '1.0.1', started_at: 4_000, heartbeat_at: 4_000, stopped_at: null, degraded: null });
      await lease.release(101, 4_500); // not the holder: no effect
      expect(await lease.read()).toMatchObject({ pid: 202, stopped_at: null });
      await lease.release(202, 5_000);
      expect(await lease.read()).toMatchObject({ pid: 202, stopped_at: 5_000, heartbeat_at: 5_000 });
      // A released lease is free, whatever `held` would say of its last holder.
      expect(await lease.acquire({ pid: 303, host: 'h', version: '1.0.2' }, 6_000, () => true)).toMatchObject({ taken: true, previous: { pid: 202, stopped_at: 5_000 } });
    });

    it('definitions: a change is all or nothing, deletions free their ids, and a dry run writes nothing', async () => {
      const { store } = await make();
      await store.defs.apply({ write: [taskInput('keep'), taskInput('old', { tid: 1000009 })], replace: false });
      const state = async () => ({ defs: await store.defs.all(), seq: await store.events.lastSeq() });
      const before = await state();
      // A refused write (a name taken, no replace) undoes the rest of the change.
      await expect(store.defs.apply({ write: [taskInput('new1'), taskInput('keep')], replace: false })).rejects.toMatchObject({ code: 'CONFLICT' });
      // A deletion of a definition no longer there undoes the writes with it.
      const old = (await store.defs.byName('old', 'default'))!;
      const gone = { ...old, id: old.id + 1000 };
      await expect(store.defs.apply({ write: [taskInput('new2')], remove: [old, gone], replace: false })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(await state()).toEqual(before);

      const plan = { write: [taskInput('fresh', { tid: 1000009 }), taskInput('keep', { cmd: 'echo changed' })], remove: [old], replace: true };
      const dry = await store.defs.apply({ ...plan, dryRun: true });
      expect(dry.written.map((w) => [w.action, w.definition.def.name])).toEqual([['created', 'fresh'], ['updated', 'keep']]);
      expect(dry.removed).toHaveLength(1);
      expect(await state()).toEqual(before);

      const real = await store.defs.apply(plan);
      expect(real.written.map((w) => [w.action, w.definition.def.name])).toEqual([['created', 'fresh'], ['updated', 'keep']]);
      expect((await store.defs.byName('fresh', 'default'))!.definition.def).toMatchObject({ tid: 1000009 });
      expect(await store.defs.byName('old', 'default')).toBeUndefined();
      const deleted = (await store.events.list({ afterSeq: before.seq })).find((e) => e.type === 'task.deleted');
      expect(real.removed).toEqual([deleted!.seq]);
    });

    it('events: a natural key is stored once, and seq only grows', async () => {
      const { store, clock } = await make();
      const e = { key: 'contract:1', type: 'daemon.started' as const, time: clock.now(), instance: 'default', data: { n: 1 } };
      const seq = await store.events.append(e);
      expect(seq).toBeGreaterThan(0);
      expect(await store.events.append({ ...e, data: { n: 2 } })).toBeUndefined();
      expect(await store.events.has('contract:1')).toBe(true);
      const next = await store.events.append({ ...e, key: 'contract:2' });
      expect(next).toBeGreaterThan(seq!);
      expect((await store.events.list({ afterSeq: seq! - 1 })).map((x) => [x.key, x.data])).toEqual([
        ['contract:1', { n: 1 }],
        ['contract:2', { n: 1 }],
      ]);
    });

    it('cursors: set, read back through another connection, listed by prefix', async () => {
      const d = await make();
      await d.store.cursors.set('sink:http://a', '7');
      await d.store.cursors.set('sink:http://b', '9');
      await d.store.cursors.set('alerts:cursor', '3');
      await d.store.cursors.set('sink:http://a', '8');
      const other = await d.reopen();
      expect(await other.cursors.get('sink:http://a')).toBe('8');
      expect(await other.cursors.get('nothing')).toBeUndefined();
      expect(await other.cursors.list('sink:')).toEqual([
        { key: 'sink:http://a', value: '8' },
        { key: 'sink:http://b', value: '9' },
      ]);
    });

    it('definition effects: a deleted task skips its pending runs once, wherever they are applied from', async () => {
      const d = await make();
      const { store } = d;
      const t = await insertTask(store, { name: 'gone', trigger_times: '08:00' });
      const pending = (await store.runs.create(newRun(3_000, { task_name: 'gone', task_id: t.tid })))!;
      const started = (await store.runs.create(newRun(4_000, { task_name: 'gone', task_id: t.tid })))!;
      await store.runs.transition({ runId: started.id, event: 'run.triggered', to: 'TRIGGER' });
      await store.runs.transition({ runId: started.id, event: 'run.accepted', to: 'STARTED' });
      const [seq] = (await store.defs.apply({ remove: [(await store.defs.byName('gone', 'default'))!], replace: false })).removed;
      // "A daemon holds the home": nothing changes.
      expect(await store.definitionEffects.apply(() => false)).toBeUndefined();
      expect((await store.runs.get(pending.id))!.state).toBe('ACTIVE');
      const applied = await (await d.reopen()).definitionEffects.apply();
      expect(applied!.map((a) => [a.cause, a.reason, a.runs.map((r) => r.id)])).toEqual([[seq, 'deleted', [pending.id]]]);
      expect(await store.runs.get(pending.id)).toMatchObject({ state: 'SKIPPED', reason: 'deleted' });
      expect((await store.runs.get(started.id))!.state).toBe('STARTED'); // started: not skipped
      expect(await store.definitionEffects.apply()).toEqual([]); // applied once
      expect(await store.definitionEffects.skippedBy(seq! - 1, seq!)).toBe(1);
      expect(await store.definitionEffects.applied()).toBe(await store.events.lastSeq());
    });

    it('definition effects: `when` sees the daemon lease, inside the unit', async () => {
      const { store } = await make();
      await store.daemonLease.acquire({ pid: 7, host: 'h', version: 'v' }, 1_000, () => true);
      const seen: unknown[] = [];
      expect(await store.definitionEffects.apply((lease) => (seen.push(lease?.pid), false))).toBeUndefined();
      expect(seen).toEqual([7]);
    });

    it('runs: final totals per task and state with the latest end, and the waiting counts on the state index', async () => {
      const { store, clock } = await make();
      clock.set(50_000);
      const end = async (slot: number, task: string, path: [string, string][], patch: Record<string, number> = {}) => {
        const r = (await store.runs.create(newRun(slot, { task_name: task, task_id: 1000000 + task.charCodeAt(0) })))!;
        for (const [event, to] of path) await store.runs.transition({ runId: r.id, event: event as never, to: to as never, patch });
        return r;
      };
      const ok: [string, string][] = [['run.triggered', 'TRIGGER'], ['run.accepted', 'STARTED'], ['run.started', 'RUNNING'], ['run.succeeded', 'SUCCESS']];
      await end(1_000, 'a', ok, { ended_at: 7_000 });
      await end(2_000, 'a', ok, { ended_at: 9_000 });
      await end(3_000, 'a', [['run.triggered', 'TRIGGER'], ['run.rejected', 'REJECTED']], { ended_at: 4_000 });
      await end(1_000, 'b', [['run.skipped', 'SKIPPED']]);
      await end(4_000, 'b', [['run.triggered', 'TRIGGER']]); // waiting: TRIGGER
      await end(5_000, 'b', [['run.triggered', 'TRIGGER'], ['run.accepted', 'STARTED']]); // live
      await end(6_000, 'c', []); // ACTIVE, slot come
      await end(90_000, 'c', []); // ACTIVE, slot not yet come
      expect(await store.runs.finalTotals()).toEqual([
        { task: 'a', instance: 'default', state: 'REJECTED', n: 1, last_ended: 4_000 },
        { task: 'a', instance: 'default', state: 'SUCCESS', n: 2, last_ended: 9_000 },
        { task: 'b', instance: 'default', state: 'SKIPPED', n: 1, last_ended: null },
      ]);
      expect(await store.runs.waiting(50_000)).toEqual({ trigger: 1, due: 1, live: 1 });
      expect(await store.runs.waiting(100_000)).toEqual({ trigger: 1, due: 2, live: 1 });
    });

    it('definitions: enable and disable record who asked and the note in their event', async () => {
      const { store } = await make();
      await insertTask(store, { name: 'noted', trigger_times: '08:00' });
      const off = await store.defs.setActive('noted', false, undefined, { by: 'alice', note: 'disk swap' });
      expect(off.changed).toBe(true);
      const on = await store.defs.setActive('noted', true, undefined, { by: 'api:ops' });
      const events = await store.events.list({ task: 'noted', types: ['task.disabled', 'task.enabled'] });
      expect(events.map((e) => [e.seq, e.type, e.data.by, e.data.note])).toEqual([
        [off.seq, 'task.disabled', 'alice', 'disk swap'],
        [on.seq, 'task.enabled', 'api:ops', undefined],
      ]);
    });

    it('frozen dates: a freeze and a release write task.frozen / task.unfrozen with who asked, held runs or not; asking again writes nothing', async () => {
      const { store } = await make();
      const t = { tid: 1000001, name: 'a', instance: 'default' };
      const run = (await store.runs.create({ ...newRun(9_000), business_date: '2026-03-02' }))!;
      expect(await store.frozenDates.freeze(t, '2026-03-01', { by: 'alice', note: 'disk swap' })).toEqual({ changed: true, moved: 0 });
      expect(await store.frozenDates.freeze(t, '2026-03-01', { by: 'alice' })).toEqual({ changed: false, moved: 0 });
      expect(await store.frozenDates.freeze(t, '2026-03-02', { by: 'bob' })).toEqual({ changed: true, moved: 1 });
      expect(await store.frozenDates.unfreeze(t, '2026-03-02', { by: 'bob' })).toEqual({ changed: true, moved: 1 });
      expect(await store.frozenDates.unfreeze(t, '2026-03-02')).toEqual({ changed: false, moved: 0 });
      const events = await store.events.list({ task: 'a', instance: 'default', types: ['task.frozen', 'task.unfrozen', 'run.frozen', 'run.unfrozen'] });
      expect(events.map((e) => [e.type, e.data.date, e.data.runs, e.data.by, e.data.note, e.run_id ?? null])).toEqual([
        ['task.frozen', '2026-03-01', 0, 'alice', 'disk swap', null],
        ['run.frozen', '2026-03-02', undefined, 'bob', undefined, run.id],
        ['task.frozen', '2026-03-02', 1, 'bob', undefined, null],
        ['run.unfrozen', '2026-03-02', undefined, 'bob', undefined, run.id],
        ['task.unfrozen', '2026-03-02', 1, 'bob', undefined, null],
      ]);
    });

    it('modify-status: the new state and its event in one unit, naming who asked (or modify-status when nobody is named)', async () => {
      const { store } = await make();
      const a = (await store.runs.create(newRun(11_000)))!;
      const b = (await store.runs.create(newRun(12_000)))!;
      const ended = await Promise.all([a, b].map((r) => store.runs.transition({ runId: r.id, event: 'run.terminated', to: 'TERMINATED', patch: { reason: 'requested' } })));
      expect(await store.runs.modifyStatus({ runId: a.id, to: 'SUCCESS', expectVersion: ended[0]!.version, data: { by: 'alice', note: 'checked by hand' } })).toMatchObject({ state: 'SUCCESS' });
      expect(await store.runs.modifyStatus({ runId: b.id, to: 'FAILED', expectVersion: ended[1]!.version })).toMatchObject({ state: 'FAILED' });
      const modified = await store.events.list({ types: ['run.status_modified'] });
      expect(modified.map((e) => [e.run_id, e.data.to, e.data.by, e.data.note])).toEqual([
        [a.id, 'SUCCESS', 'alice', 'checked by hand'],
        [b.id, 'FAILED', 'modify-status', undefined],
      ]);
    });

    it('migrations: a new store is at the newest schema version, and starts its definition effects at the end of its log', async () => {
      const d = await make();
      expect(await d.schema.current()).toBe(d.schema.newest);
      expect(await d.store.definitionEffects.applied()).toBe(await d.store.events.lastSeq());
      const again = await d.reopen();
      expect(await again.events.lastSeq()).toBe(await d.store.events.lastSeq());
      expect(await d.schema.current()).toBe(d.schema.newest);
    });
    policyContract(make);
  });
}
