import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode, encode, type ControlRequest } from '../../../src/control/request.js';

const row = (r: ControlRequest) => {
  const e = encode(r);
  return { kind: e.kind, target: e.target, args: JSON.stringify(e.args) };
};

describe('control requests', () => {
  it('every request survives encode → stored row → decode unchanged', () => {
    const name = fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/);
    const date = fc.option(fc.constantFrom('20260301', '20261231'), { nil: undefined });
    const instance = fc.option(name, { nil: undefined });
    const request: fc.Arbitrary<ControlRequest> = fc.oneof(
      fc.record({ kind: fc.constant('force-run' as const), target: name, date, instance }, { requiredKeys: ['kind', 'target'] }),
      fc.record({ kind: fc.constantFrom('freeze' as const, 'unfreeze' as const), target: name, date, instance }, { requiredKeys: ['kind', 'target'] }),
      fc.record({ kind: fc.constant('terminate' as const), target: name, run: fc.integer({ min: 1, max: 1e6 }), instance }, { requiredKeys: ['kind'] }).filter((r) => r.target !== undefined || r.run !== undefined),
      fc.record({ kind: fc.constant('modify-status' as const), run: fc.integer({ min: 1, max: 1e6 }), status: fc.constantFrom('SUCCESS' as const, 'FAILED' as const) }),
      fc.constant({ kind: 'reload' as const }),
    );
    const asker = fc.record({ by: fc.option(fc.constantFrom('alice', 'api:default'), { nil: undefined }), note: fc.option(fc.string({ minLength: 1, maxLength: 20 }), { nil: undefined }) });
    fc.assert(
      fc.property(request, asker, (req, who) => {
        const r = { ...req, ...who } as ControlRequest;
        const clean = Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined));
        expect(decode(row(r))).toEqual({ ok: true, request: clean });
      }),
    );
  });

  it('refuses a row no client writes, saying why', () => {
    expect(decode({ kind: 'force-run', target: null, args: '{}' })).toEqual({ ok: false, message: 'force-run names no task' });
    expect(decode({ kind: 'terminate', target: null, args: '{"run":"7"}' })).toEqual({ ok: false, message: 'terminate --run must be a run id, got "7"' });
    expect(decode({ kind: 'terminate', target: null, args: '{}' })).toEqual({ ok: false, message: 'terminate names neither a task nor a run' });
    expect(decode({ kind: 'modify-status', target: '12', args: '{"status":"running"}' })).toEqual({ ok: false, message: '--status must be SUCCESS or FAILED, got "running"' });
    expect(decode({ kind: 'modify-status', target: 'x', args: '{"status":"SUCCESS"}' })).toEqual({ ok: false, message: 'modify-status needs a run id, got "x"' });
    expect(decode({ kind: 'freeze', target: 't', args: 'not json' })).toEqual({ ok: false, message: 'its arguments are not JSON: not json' });
    expect(decode({ kind: 'freeze', target: 't', args: '[1]' })).toEqual({ ok: false, message: 'its arguments are not an object: [1]' });
    expect(decode({ kind: 'explode' as never, target: 't', args: '{}' })).toEqual({ ok: false, message: '"explode" is not a control command this daemon knows' });
  });
});
