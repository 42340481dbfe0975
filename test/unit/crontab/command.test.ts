import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { protectPlaceholders, singleQuote, splitPercent, translateCommand } from '../../../src/crontab/command.js';

/** What bash prints for `cmd` run as EasyTask runs it (bash -c), with `input` on stdin. */
const bash = (cmd: string, env: Record<string, string> = {}) =>
  spawnSync('bash', ['-c', cmd], { encoding: 'utf8', env: { PATH: process.env.PATH!, ...env } });

describe('cron\'s % rule', () => {
  it('keeps a command without % as it is, and turns \\% into %', () => {
    expect(splitPercent('date +\\%Y-\\%m-\\%d')).toEqual({ command: 'date +%Y-%m-%d' });
    expect(splitPercent('echo a\\\\b')).toEqual({ command: 'echo a\\\\b' });
  });

  // Each expectation below is what Debian's cron 3.0pl1-162 wrote, captured with `cat > file` lines.
  it('ends the command at the first unescaped % and feeds the rest as standard input, % as newlines', () => {
    expect(splitPercent('cat > f%first line%second line')).toEqual({ command: 'cat > f', stdin: 'first line\nsecond line\n' });
    expect(splitPercent('cat > f%a\\%b%c\\\\%d\\x%')).toEqual({ command: 'cat > f', stdin: 'a%b\nc\\%d\\x\n' });
    expect(splitPercent("printf '\\%s|' \"x\\%y\"")).toEqual({ command: "printf '%s|' \"x%y\"" });
  });

  it('ends with \\\\% : the backslash pair stays and the % still ends the command', () => {
    expect(splitPercent('echo \\\\%in')).toEqual({ command: 'echo \\\\', stdin: 'in\n' });
  });

  it('gives an empty input for a trailing %', () => {
    expect(splitPercent('wc -c%')).toEqual({ command: 'wc -c', stdin: '' });
  });
});

describe('${NAME} kept away from EasyTask placeholders', () => {
  it('rewrites ${NAME} outside single quotes so bash expands it the same way', () => {
    expect(protectPlaceholders('echo "${HOME}/x" ${USER}')).toBe('echo "$HOME/x" $USER');
    expect(protectPlaceholders('echo ${A}b ${B}_c')).toBe('echo ${A-}b ${B-}_c');
    expect(protectPlaceholders('echo ${x:-d} ${#a}')).toBe('echo ${x:-d} ${#a}');
  });

  it("splits ${ inside single quotes as $''{ and leaves escaped characters alone", () => {
    expect(protectPlaceholders("echo '${HOME}' \\${HOME}")).toBe("echo '$''{HOME}' \\${HOME}");
    expect(bash(protectPlaceholders("echo '${HOME}' \"${HOME}\" ${HOME}x"), { HOME: '/h' }).stdout).toBe('${HOME} /h /hx\n');
  });

  it('quotes any text as one bash word', () => {
    const text = "it's ${HOME} and $(not run)\nline 2\n";
    expect(bash(`printf %s ${singleQuote(text)}`, { HOME: '/h' }).stdout).toBe(text);
  });
});

describe('translateCommand', () => {
  it('feeds the % input to the whole command line, byte for byte', () => {
    const cmd = translateCommand('cd /tmp && cat%Dear ${USER},%50\\% done%');
    expect(cmd).toBe("{ cd /tmp && cat\n} < <(printf %s 'Dear $''{USER},\n50% done\n')");
    expect(bash(cmd, { USER: 'joe' }).stdout).toBe('Dear ${USER},\n50% done\n');
  });

  it('leaves a command without % alone apart from ${NAME}', () => {
    expect(translateCommand('cd / && run-parts --report /etc/cron.hourly')).toBe('cd / && run-parts --report /etc/cron.hourly');
  });
});
