// A real SMTP receiver on 127.0.0.1 for tests (smtp-server): plain, or STARTTLS with a self-signed
// certificate made here with the openssl CLI, optionally with AUTH; it keeps every mail it accepts.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  /** The raw message (headers and body). */
  raw: string;
  /** The user that logged in, if any. */
  user?: string;
  secure: boolean;
}

export interface SmtpReceiverOptions {
  /** Offer STARTTLS (with a self-signed certificate for 127.0.0.1) and refuse mail before it. */
  tls?: boolean;
  /** Require AUTH with this user and password. */
  auth?: { user: string; password: string };
}

/** A self-signed certificate for 127.0.0.1 (and localhost); `certFile` is what a client trusts as its CA. */
export function selfSignedCert(): { key: string; cert: string; certFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'easytask-cert-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8'), certFile };
}

export class SmtpReceiver {
  readonly mails: ReceivedMail[] = [];
  readonly authFailures: string[] = [];
  readonly certFile?: string;
  private server: SMTPServer;
  port = 0;

  constructor(opts: SmtpReceiverOptions = {}) {
    const cert = opts.tls ? selfSignedCert() : undefined;
    this.certFile = cert?.certFile;
    this.server = new SMTPServer({
      secure: false,
      ...(cert ? { key: cert.key, cert: cert.cert } : { disabledCommands: ['STARTTLS'] }),
      ...(opts.auth ? { authMethods: ['PLAIN', 'LOGIN'] } : { authOptional: true }),
      // Without TLS, AUTH would be refused before STARTTLS: allowed only for the plain receiver.
      allowInsecureAuth: !opts.tls,
      logger: false,
      onAuth: (auth, _session, cb) => {
        if (opts.auth && auth.username === opts.auth.user && auth.password === opts.auth.password) return cb(null, { user: auth.username });
        this.authFailures.push(auth.username ?? '');
        cb(new Error('Invalid username or password'));
      },
      onData: (stream, session, cb) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          if (opts.tls && !session.secure) return cb(new Error('STARTTLS first'));
          this.mails.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
            user: session.user as string | undefined,
            secure: session.secure,
          });
          cb(null);
        });
      },
    });
  }

  start(): Promise<this> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => {
        this.port = ((this.server as unknown as { server: { address(): AddressInfo } }).server.address()).port;
        resolve(this);
      });
    });
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
