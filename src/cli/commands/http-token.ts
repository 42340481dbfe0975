// easytask http-token: show a bearer token of the HTTP API (daemon --http), creating it when missing.
import type { Command } from 'commander';
import { mkdirSync } from 'node:fs';
import { action, homeFor, out, printJson } from '../context.js';

export function registerHttpTokenCommand(program: Command): void {
  program
    .command('http-token')
    .description('show a token of the HTTP API (easytask daemon --http), creating it when missing')
    .option('--name <name>', 'the token to show or create (letters, digits, _ . -)', 'default')
    .option('--json', 'print {name, token, created, path}')
    .addHelpText('after', [
      '',
      'Tokens live in <home>/http-tokens, one "NAME TOKEN" a line, mode 0600 (the daemon refuses',
      'to start with --http while others may read it). A POST to the API needs one; so does every',
      'request when the daemon listens on an address that is not loopback. Control requests made',
      'with a token are recorded as asked by api:<name>.',
      '',
      'Examples:',
      '  easytask http-token                   # the default token',
      '  easytask http-token --name grafana    # a token of its own for Grafana',
      '  curl -H "Authorization: Bearer $(easytask http-token)" -X POST http://127.0.0.1:9465/api/tasks/backup/force-run',
    ].join('\n'))
    .action(action(async function (this: Command, o: { name: string; json?: boolean }) {
      const { ensureToken } = await import('../../http/tokens.js');
      const home = homeFor(this);
      mkdirSync(home, { recursive: true });
      const t = ensureToken(home, o.name);
      if (o.json) printJson(t);
      else out(t.token);
    }));
}
