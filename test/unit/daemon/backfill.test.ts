// Backfill carried out by the daemon on a fake clock: the runs of the past slots are created (a slot
// that has a run stays as it is), and they run one after another, oldest first, even with overlap
// "skip"; asking again creates nothing more. A group member or a group is refused with the reason.
import { afterEach, describe, expect, it } from 'vitest';
import { encode, type ControlRequest } from '../../../src/control/request.js';
import type { FakeClock } from '../../../src/core/clock.js';
import { Daemon } from '../../../src/daemon/daemon.js';
import { openStore, type Store } from '../../../src/store/index.js';
import { insertGroup, insertTask } from '../../helpers/defs.js';
import { startFakeClockDaemon } from '../../helpers/fake-clock-daemon.js';
import { tempStore } from '../../helpers/home.js';

const T0 = Date.UTC(2026, 2, 10, 12, 0, 0); // Tuesday 2026-03-10 12:00 UTC

async function daemonWith(setup: (store: Store) => Promise<void>) {
  const { store, clock, home } = await tempStore(T0);
  await setup(store);
  const { daemon, ...l } = await startFakeClockDaemon(store, clock, home);
  // The CLI's own connection: the daemon notices what another connection commits.
  const client = await openStore(home, clock);
  afterEach(() => client.close());
  return { store, client, clock, ...l };
}

/** Store a request as the CLI does, and let the daemon's poll carry it out; its acknowledgement. */
async function ask(store: Store, clock: FakeClock, r: ControlRequest) {
  const { kind, target, args } = encode(r);
  const id = await store.commands.enqueue(kind, target, args);
  await clock.advanceAsync(1000);
  await clock.advanceAsync(10);
  const c = (await store.commands.get(id))!;
  return { ok: c.ok === 1, message: c.message ?? '', result: c.result ? (JSON.parse(c.result) as Record<string, unknown>) : {} };
}

const slots = async (store: Store) => (await store.runs.list({})).sort((a, b) => a.slot - b.slot).map((r) => [new Date(r.slot).toISOString().slice(0, 10), r.state, r.business_date]);

describe('backfill by the daemon', () => {
  it('creates the runs of the past slots, leaves a slot that has a run, and runs them one after another', async () => {
    const { store, client, clock, live } = await daemonWith(async (s) => {
      const t = await insertTask(s, { name: 'nightly', trigger_times: '02:00', day_of_week: '1111100', overlap: 'skip' });
      // 2026-03-04 already has a run (skipped as missed while the daemon was down).
      const r = (await s.runs.create({ task_id: t.tid, task_name: 'nightly', instance: 'default', slot: Date.UTC(2026, 2, 4, 2), max_attempts: 1, queue: 'localhost', business_date: '20260304' }))!;
      await s.runs.transition({ runId: r.id, event: 'run.skipped', to: 'SKIPPED', patch: { reason: 'missed', ended_at: T0 } });
    });
    const existing = (await store.runs.list({}))[0]!;
    const ack = await ask(client, clock, { kind: 'backfill', target: 'nightly', from: '2026-03-02', to: '2026-03-06' });
    expect(ack).toMatchObject({ ok: true, result: { slots: 5, existing: 1 } });
    expect(ack.message).toContain('4 run(s) created for 5 slot(s); 1 slot(s) already had a run');
    expect(live).toHaveLength(1); // one at a time, oldest first
    const states = async () => (await slots(store)).map(([, state]) => state);
    expect(await states()).toEqual(['RUNNING', 'ACTIVE', 'SKIPPED', 'ACTIVE', 'ACTIVE']);
    for (let i = 1; i < 4; i++) {
      live[i - 1]!.end({ outcome: 'success', exitCode: 0 });
      await clock.advanceAsync(10);
      expect(live).toHaveLength(i + 1);
      expect((await states()).filter((x) => x === 'RUNNING')).toHaveLength(1);
    }
    live[3]!.end({ outcome: 'success', exitCode: 0 });
    await clock.advanceAsync(10);
    expect(await slots(store)).toEqual([
      ['2026-03-02', 'SUCCESS', '20260302'], ['2026-03-03', 'SUCCESS', '20260303'], ['2026-03-04', 'SKIPPED', '20260304'],
      ['2026-03-05', 'SUCCESS', '20260305'], ['2026-03-06', 'SUCCESS', '20260306'],
    ]);
    expect((await store.runs.get(existing.id))!.reason).toBe('missed');
    // Again: nothing more.
    const again = await ask(client, clock, { kind: 'backfill', target: 'nightly', from: '2026-03-02', to: '2026-03-06' });
    expect(again).toMatchObject({ ok: true, result: { slots: 5, existing: 5, runs: [] } });
    expect(await store.runs.list({})).toHaveLength(5);
  });

  it('refuses a group member, a group, an unknown task and a reversed range, creating nothing', async () => {
    const { store, client, clock } = await daemonWith(async (s) => {
      await insertGroup(s, { name: 'g', trigger_times: '01:00' });
      await insertTask(s, { name: 'm', task_group: 'g', timezone: undefined, day_of_week: undefined });
    });
    const range = { from: '2026-03-01', to: '2026-03-02' };
    expect(await ask(client, clock, { kind: 'backfill', target: 'm', ...range })).toMatchObject({ ok: false, message: expect.stringContaining('task m runs in group g') as string, result: { exit_code: 2 } });
    expect(await ask(client, clock, { kind: 'backfill', target: 'g', ...range })).toMatchObject({ ok: false, message: expect.stringContaining('"g" is a group') as string });
    expect(await ask(client, clock, { kind: 'backfill', target: 'nope', ...range })).toMatchObject({ ok: false });
    expect(await ask(client, clock, { kind: 'backfill', target: 'm', from: '2026-03-02', to: '2026-03-01' })).toMatchObject({ ok: false });
    expect(await store.runs.list({})).toEqual([]);
  });
});
