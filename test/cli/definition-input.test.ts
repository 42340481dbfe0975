// Input that JSON allows but no definition can be: nesting past the limit, numbers past a double, bytes that are not UTF-8.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { tempHome } from '../helpers/home.js';

function file(name: string, content: string | Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'easytask-input-'));
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const task = (extra: string) => `{"name": "a", "cmd": "echo hi", "trigger_times": "08:00"${extra}}`;

describe('nesting deeper than a definition can be', () => {
  it.each([
    ['arrays', '['.repeat(100_000) + ']'.repeat(100_000), 65],
    ['objects', '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000), 64 * 5 + 1],
  ])('100,000 nested %s: exit 2, naming the file, line and column, for validate and insert', (_, text, column) => {
    const path = file('deep.json', text);
    for (const command of ['validate', 'insert']) {
      const home = tempHome();
      const r = cli(home, [command, path]);
      expect(r.stderr).not.toContain('Maximum call stack');
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`${path}: JSON nested more than 64 levels deep at line 1, column ${column}`);
    }
  });

  it('the opening bracket past the limit is located on its own line', () => {
    const text = '{"tasks": [\n' + '  '.repeat(3) + '['.repeat(70) + ']'.repeat(70) + '\n]}';
    const r = cli(tempHome(), ['validate', file('deep.json', text)]);
    expect(r.code).toBe(2);
    // {"tasks": [ is two levels; the 63rd bracket on line 2 (column 6 + 63) is the 65th level.
    expect(r.stderr).toContain('nested more than 64 levels deep at line 2, column 69');
  });

  it('brackets inside strings do not count, and shallow documents are untouched', () => {
    const r = cli(tempHome(), ['validate', file('ok.json', task(`, "description": "${'['.repeat(200)}"`))]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});

describe('numbers beyond the range of a double', () => {
  it('are shown as written in the file, not as null', () => {
    const path = file('big.json', task(', "retry_attempts": 1e400, "max_run_time": -1E+999, "env": {"N": 1e400}'));
    const r = cli(tempHome(), ['validate', path]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('/retry_attempts: expected an integer from 0 to 10, got 1e400, which is out of range');
    expect(r.stderr).toContain('/max_run_time: expected an integer from 1 to 172800 (seconds), got -1E+999, which is out of range');
    expect(r.stderr).toContain('/env/N: expected a string (in quotes: "1e400"), got 1e400, which is out of range');
    expect(r.stderr).not.toContain('null');
    const json = JSON.parse(cli(tempHome(), ['validate', '--json', path]).stdout) as { issues: { pointer: string; value: unknown }[] };
    expect(json.issues.find((i) => i.pointer === '/retry_attempts')?.value).toBe('1e400');
  });
});

describe('bytes that are not UTF-8', () => {
  it('are refused, naming the file, line, column and byte offset, and nothing is inserted', () => {
    const text = Buffer.concat([Buffer.from('{"name": "a",\n "cmd": "echo '), Buffer.from([0xff, 0xfe]), Buffer.from('", "trigger_times": "08:00"}')]);
    const path = file('latin.json', text);
    const home = tempHome();
    for (const command of ['validate', 'insert']) {
      const r = cli(home, [command, path]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`${path}: not valid UTF-8 at line 2, column 15 (byte offset 28: 0xff)`);
    }
    expect(cli(home, ['list']).code).toBe(2); // insert created no home
  });

  it('on standard input too, and a truncated sequence at the end is found', () => {
    const r = cli(tempHome(), ['validate', '-'], { input: Buffer.concat([Buffer.from(task('') + ' "é'), Buffer.from([0xc3])]) as unknown as string });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/<stdin>: not valid UTF-8 at line 1, column \d+ \(byte offset \d+: 0xc3\)/);
  });

  it('valid multi-byte text is accepted', () => {
    const r = cli(tempHome(), ['validate', file('utf8.json', task(', "description": "café ☕ 𝄞"'))]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});
