import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/core/clock.js';
import { resolvePlaceholders, runAttempt, shellQuote, type PlaceholderContext } from '../../../src/attempt/index.js';
import { read, spec, tempDir } from './helpers.js';

// 2026-03-08 is the US spring-forward day: 07:30Z is 03:30 EDT in New York.
const ctx: PlaceholderContext = {
  env: { DATA: '/srv/data', SPACED: 'a b', EMPTY: '' },
  taskName: 'nightly-report',
  taskId: 1000042,
  triggerAt: Date.parse('2026-03-08T07:30:00Z'),
  timezone: 'America/New_York',
};
const cmd = { mode: 'cmd', field: 'cmd' } as const;
const path = { mode: 'path', field: 'stdout' } as const;

describe('resolvePlaceholders', () => {
  it('resolves ${E:…} from the environment into variables that cmd references, one per placeholder', () => {
    expect(resolvePlaceholders('ls ${E:DATA} ${E:SPACED} x${E:EMPTY} ${E:DATA}', ctx, cmd)).toEqual({
      ok: true,
      value: 'ls "${EASYTASK_VALUE_1}" "${EASYTASK_VALUE_2}" x"${EASYTASK_VALUE_3}" "${EASYTASK_VALUE_1}"',
      env: { EASYTASK_VALUE_1: '/srv/data', EASYTASK_VALUE_2: 'a b', EASYTASK_VALUE_3: '' },
    });
  });

  it('fits each reference to the quoting it stands in', () => {
    const r = resolvePlaceholders(`a "\${E:DATA}" '\${E:DATA}' $'\\t\${E:DATA}' \`b \${E:DATA}\` $(c "\${E:DATA}")`, ctx, cmd);
    const v = '${EASYTASK_VALUE_1}';
    expect(r).toEqual({
      ok: true,
      value: `a "${v}" ''"${v}"'' $'\\t'"${v}"$'' \`b "${v}"\` $(c "${v}")`,
      env: { EASYTASK_VALUE_1: '/srv/data' },
    });
  });

  it('resolves the built-ins from the trigger instant in the task zone', () => {
    const r = resolvePlaceholders('${E:YYYYMMDD} ${E:HH:MM} ${E:HHMM} ${E:HH} ${YYYYMMDD}', ctx, path);
    expect(r).toEqual({ ok: true, value: '20260308 03:30 0330 03 20260308', env: {} });
    const tokyo = { ...ctx, timezone: 'Asia/Tokyo', triggerAt: Date.parse('2026-03-08T20:15:00Z') };
    expect(resolvePlaceholders('${E:YYYYMMDD}-${E:HHMM}', tokyo, path)).toEqual({ ok: true, value: '20260309-0515', env: {} });
  });

  it('resolves ${T:task_name} and ${T:task_id}', () => {
    expect(resolvePlaceholders('/logs/${T:task_name}/${T:task_id}.out', ctx, path)).toEqual({
      ok: true,
      value: '/logs/nightly-report/1000042.out',
      env: {},
    });
  });

  it('resolves bare ${NAME} as environment, and leaves shell syntax alone', () => {
    const r = resolvePlaceholders('cp ${DATA} ${x:-d} ${#arr[@]} "${HH:MM}"', ctx, cmd);
    expect(r).toEqual({
      ok: true,
      value: 'cp "${EASYTASK_VALUE_1}" ${x:-d} ${#arr[@]} "${HH:MM}"',
      env: { EASYTASK_VALUE_1: '/srv/data' },
    });
  });

  it('leaves an unknown bare ${name} in cmd to bash (a shell variable), but fails it in a path', () => {
    expect(resolvePlaceholders('for f in a b; do echo ${f}; done', ctx, cmd)).toEqual({
      ok: true,
      value: 'for f in a b; do echo ${f}; done',
      env: {},
    });
    expect(resolvePlaceholders('/logs/${f}.out', ctx, path)).toEqual({ ok: false, message: 'unknown placeholder ${f} in stdout' });
  });

  it('does not quote in path mode', () => {
    expect(resolvePlaceholders('${E:SPACED}/${E:DATA}', ctx, path)).toEqual({ ok: true, value: 'a b//srv/data', env: {} });
  });

  it('fails on an unknown placeholder, naming it and the field', () => {
    expect(resolvePlaceholders('echo ${E:NOPE}', ctx, cmd)).toEqual({ ok: false, message: 'unknown placeholder ${E:NOPE} in cmd' });
    expect(resolvePlaceholders('${T:owner}', ctx, path)).toEqual({ ok: false, message: 'unknown placeholder ${T:owner} in stdout' });
    expect(resolvePlaceholders('${P:exit}', ctx, { mode: 'alert', field: 'alert command' })).toEqual({
      ok: false,
      message: 'unknown placeholder ${P:exit} in alert command',
    });
  });

  it('allows ${P:…} only in alerts', () => {
    const alert = { ...ctx, params: { status: 'FAILED', pid: '4242', duration: '12.5', stdout: '/l/o', stderr: '/l/e' } };
    const text = '${P:status} ${P:pid} ${P:duration} ${P:stdout} ${P:stderr} ${T:task_name}';
    expect(resolvePlaceholders(text, alert, { mode: 'alert', field: 'alert command', quote: false })).toEqual({
      ok: true,
      value: 'FAILED 4242 12.5 /l/o /l/e nightly-report',
      env: {},
    });
    expect(resolvePlaceholders('notify ${P:status}', alert, { mode: 'alert', field: 'alert command' })).toEqual({
      ok: true,
      value: 'notify "${EASYTASK_VALUE_1}"',
      env: { EASYTASK_VALUE_1: 'FAILED' },
    });
    expect(resolvePlaceholders('${P:pid}', ctx, { mode: 'alert', field: 'webhook', quote: false })).toEqual({ ok: true, value: '', env: {} });
    expect(resolvePlaceholders('echo ${P:status}', alert, cmd)).toEqual({
      ok: false,
      message: 'placeholder ${P:status} is only allowed in alerts, not in cmd',
    });
  });

  it('fails the built-ins for a zone luxon does not know', () => {
    expect(resolvePlaceholders('${E:HH}', { ...ctx, timezone: 'Mars/Olympus' }, path)).toEqual({
      ok: false,
      message: 'unknown time zone "Mars/Olympus" for ${E:HH}',
    });
  });
});

describe('shell quoting', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  it('quotes single quotes the bash way', () => {
    expect(shellQuote("it's")).toBe("'it'\\''s'");
  });

  it('delivers a hostile value to the command literally', async () => {
    const canary = join(dir, 'canary');
    writeFileSync(canary, 'still here');
    const hostile = `x'; rm -f ${canary}; echo 'pwned $(rm -f ${canary}) \`rm -f ${canary}\` "$HOME" \\ ;\nline2`;
    const resolved = resolvePlaceholders('printf %s ${E:HOSTILE}', { ...ctx, env: { HOSTILE: hostile } }, cmd);
    if (!resolved.ok) throw new Error(resolved.message);
    const r = await runAttempt(spec(dir, resolved.value, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...resolved.env } }), { clock: systemClock });
    expect(r.outcome).toBe('success');
    expect(read(join(dir, 'run.out'))).toBe(hostile);
    expect(existsSync(canary)).toBe(true);
  });

  // Each hostile value tries to leave the quoting the placeholder stands in.
  const cases: { cmd: string; out: (v: string) => string }[] = [
    { cmd: 'printf %s ${E:H}', out: (v) => v },
    { cmd: 'printf %s "${E:H}"', out: (v) => v },
    { cmd: 'printf %s "<${E:H}>"', out: (v) => `<${v}>` },
    { cmd: "printf %s '<${E:H}>'", out: (v) => `<${v}>` },
    { cmd: "printf %s $'\\x3c${E:H}>'", out: (v) => `<${v}>` },
    { cmd: 'printf %s "$(printf %s "${E:H}")"', out: (v) => v },
    { cmd: 'printf %s "`printf %s ${E:H}`"', out: (v) => v },
    { cmd: 'cat <<EOF\n<${E:H}>\nEOF', out: (v) => `<${v}>\n` },
    { cmd: "printf %s ${E:H} # it's a comment", out: (v) => v },
  ];
  const hostiles = (canary: string): string[] => [
    `$(rm -f ${canary})`,
    `"; rm -f ${canary}; echo "`,
    `'; rm -f ${canary}; echo '`,
    `\`rm -f ${canary}\``,
    `\\"$(rm -f ${canary})\\'`,
  ];

  it.each(cases)('keeps hostile values literal in $cmd', async ({ cmd: text, out }) => {
    const canary = join(dir, 'canary');
    for (const [k, hostile] of hostiles(canary).entries()) {
      writeFileSync(canary, 'still here');
      const resolved = resolvePlaceholders(text, { ...ctx, env: { H: hostile } }, cmd);
      if (!resolved.ok) throw new Error(resolved.message);
      const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', ...resolved.env };
      const stdoutPath = join(dir, `${k}.out`);
      const r = await runAttempt(spec(dir, resolved.value, { env, stdoutPath }), { clock: systemClock });
      expect(r.outcome).toBe('success');
      expect(read(stdoutPath)).toBe(out(hostile));
      expect(existsSync(canary)).toBe(true);
    }
  });

  it('refuses a placeholder that bash could not expand or would evaluate', () => {
    expect(resolvePlaceholders("cat <<'EOF'\n${E:DATA}\nEOF", ctx, cmd)).toEqual({
      ok: false,
      message: "placeholder ${E:DATA} in cmd is inside a quoted here-document (<<'EOF'), where bash expands nothing; use an unquoted delimiter (<<EOF)",
    });
    expect(resolvePlaceholders('echo $(( ${E:DATA} + 1 ))', ctx, cmd)).toEqual({
      ok: false,
      message: 'placeholder ${E:DATA} in cmd is inside an arithmetic expression, so its value must be a whole number; got "/srv/data"',
    });
    expect(resolvePlaceholders('echo $(( ${E:N} + 1 ))', { ...ctx, env: { N: '41' } }, cmd)).toEqual({ ok: true, value: 'echo $(( 41 + 1 ))', env: {} });
  });
});
