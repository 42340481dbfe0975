// Errors with a stable code and the exit code the CLI should use.

export type ErrorCode =
  | 'BAD_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'ILLEGAL_TRANSITION'
  | 'STORE'
  | 'NO_DAEMON'
  | 'DAEMON_RUNNING'
  /** A leader's write after a newer leader's term began: refused, so a stale leader changes nothing. */
  | 'FENCED'
  /** An agent's report with a token its attempt no longer has (a lease that ran out and was recovered). */
  | 'STALE'
  /** A file that holds secrets (the HTTP API's tokens) may be read by others, or is malformed. */
  | 'INSECURE'
  | 'INTERNAL';

export class EasyTaskError extends Error {
  readonly code: ErrorCode;
  /** 1 = failure, 2 = bad input. */
  readonly exitCode: 1 | 2;
  constructor(code: ErrorCode, message: string, exitCode?: 1 | 2) {
    super(message);
    this.name = 'EasyTaskError';
    this.code = code;
    this.exitCode = exitCode ?? (code === 'BAD_INPUT' || code === 'NOT_FOUND' ? 2 : 1);
  }
}

export const badInput = (message: string): EasyTaskError => new EasyTaskError('BAD_INPUT', message, 2);
export const notFound = (message: string): EasyTaskError => new EasyTaskError('NOT_FOUND', message, 2);
