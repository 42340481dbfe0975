import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
// @ts-expect-error: a plain .mjs script without types
import { END, reference, START } from '../docs/cli-reference.mjs';

describe('README', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

  it('carries the CLI reference exactly as --help prints it (regenerate: node test/docs/cli-reference.mjs --write)', () => {
    const start = readme.indexOf(START as string);
    const end = readme.indexOf(END as string);
    expect(start).toBeGreaterThan(0);
    expect(readme.slice(start, end + (END as string).length)).toBe((reference as () => string)());
  });

  it("shows EasyTask's example definition as written (it inserts unchanged) and says its stdout and stderr names are swapped", () => {
    const intro = "This definition, from EasyTask's own documentation, inserts as written";
    const after = readme.slice(readme.indexOf(intro));
    expect(readme.indexOf(intro)).toBeGreaterThan(0);
    const block = /```json\n([\s\S]*?)\n```\n\n([^\n]*\n[^\n]*\n[^\n]*)/.exec(after)!;
    const seed = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/defs/seed-task2.json'), 'utf8'));
    expect(JSON.parse(block[1]!)).toEqual(seed);
    expect(seed).toMatchObject({ stdout: 'task1.err', stderr: 'task1.out' });
    expect(block[2]!.replace(/\n/g, ' ')).toMatch(/^Note: `stdout` and `stderr` are swapped in the original/);
  });

  it('gives the two quick-start commands and the test command CI runs', () => {
    expect(readme).toContain('npm ci && npm run build && ./bin/easytask insert --replace examples/hello.json && ./bin/easytask daemon');
    expect(readme).toContain('npm ci && npm test');
    expect(readFileSync(join(ROOT, '.ci', 'run'), 'utf8')).toContain('npm ci && npm test');
  });
});
