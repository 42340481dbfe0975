// A real PostgreSQL server for tests: initdb in a temporary folder, its own port on 127.0.0.1, stopped
// at the end. PostgreSQL refuses to run as root, so as root the server runs as the postgres user.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export interface PostgresServer {
  /** postgres://postgres@127.0.0.1:PORT/postgres */
  url: string;
  port: number;
  dir: string;
  /** Stop the server (fast shutdown) and remove its folder. */
  stop(): Promise<void>;
  /** Stop it without removing the folder, to start it again with restart(). */
  halt(): Promise<void>;
  restart(): Promise<void>;
}

/** The folder of PostgreSQL's server programs (Debian: /usr/lib/postgresql/<major>/bin), or a clear error. */
export function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? readdirSync(root).filter((d) => existsSync(join(root, d, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a)) : [];
  if (majors.length === 0) throw new Error('PostgreSQL server programs not found under /usr/lib/postgresql (install the Debian package postgresql; .ci/run does)');
  return join(root, majors[0]!, 'bin');
}

const asRoot = (): boolean => process.getuid?.() === 0;

/** argv that runs `file args` as the postgres user when this process is root. */
function asServerUser(file: string, args: string[]): [string, string[]] {
  return asRoot() ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startPostgres(opts: { port?: number } = {}): Promise<PostgresServer> {
  const bin = postgresBin();
  const dir = mkdtempSync(join(tmpdir(), 'easytask-pg-'));
  if (asRoot()) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString().trim()), Number(execFileSync('id', ['-g', 'postgres']).toString().trim()));
  const data = join(dir, 'data');
  const [initdb, initArgs] = asServerUser(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']);
  execFileSync(initdb, initArgs, { stdio: 'pipe' });
  const port = opts.port ?? (await freePort());
  let child: ChildProcess | undefined;
  const start = async () => {
    const [file, args] = asServerUser(join(bin, 'postgres'), [
      '-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1',
      '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=300',
      '-c', 'shared_buffers=64MB', '-c', 'log_min_messages=fatal',
    ]);
    child = spawn(file, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    const [ready] = asServerUser(join(bin, 'pg_isready'), []);
    for (let i = 0; ; i++) {
      try {
        execFileSync(join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres'], { stdio: 'ignore' });
        return;
      } catch {
        if (child.exitCode !== null || i > 300) throw new Error(`PostgreSQL did not start on port ${port}: ${err.slice(0, 500)} (${ready})`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  };
  const halt = async () => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    // Fast shutdown (every session ended). pg_ctl signals the server itself: runuser, its parent as
    // root, would not pass SIGINT on.
    const [file, args] = asServerUser(join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
    try {
      execFileSync(file, args, { stdio: 'ignore' });
    } catch {
      c.kill('SIGKILL');
    }
    await exited;
  };
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dir,
    halt,
    restart: start,
    stop: async () => {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The user running the tests, for messages. */
export const testUser = (): string => userInfo().username;
