// Following an output file: appended bytes only, unfinished lines, truncation, and escapes made harmless.
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanLine, TailReader } from '../../../src/ui/log-tail.js';
import { tempHome } from '../../helpers/home.js';

describe('TailReader', () => {
  it('reads what was appended since the last poll, holding an unfinished line until it ends', () => {
    const file = join(tempHome(), 'run.out');
    const r = new TailReader(file, 3);
    expect(r.poll()).toBe(false); // not there yet
    writeFileSync(file, 'one\ntw');
    expect(r.poll()).toBe(true);
    expect(r.lines()).toEqual(['one', 'tw']);
    expect(r.poll()).toBe(false);
    appendFileSync(file, 'o\nthree\nfour\nfive\n');
    r.poll();
    expect(r.lines()).toEqual(['three', 'four', 'five']);
  });

  it('starts over when the file is truncated, and keeps a multi-byte character split across polls', () => {
    const file = join(tempHome(), 'run.out');
    const r = new TailReader(file);
    writeFileSync(file, 'a long first line\n');
    r.poll();
    writeFileSync(file, 'new\n');
    r.poll();
    expect(r.lines()).toEqual(['new']);
    const euro = Buffer.from('€\n');
    appendFileSync(file, euro.subarray(0, 2));
    r.poll();
    appendFileSync(file, euro.subarray(2));
    r.poll();
    expect(r.lines()).toEqual(['new', '€']);
  });

  it('draws what a terminal would show, with no escape that could move the cursor or restyle the screen', () => {
    expect(cleanLine('\x1b[31mred\x1b[0m and \x1b[2Jcleared')).toBe('red and cleared');
    expect(cleanLine('10%\r50%\r100%')).toBe('100%');
    expect(cleanLine('crlf\r')).toBe('crlf');
    expect(cleanLine('a\tb\x07\x1b]0;title\x07')).toBe('a    b');
  });
});
