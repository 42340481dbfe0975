// Shared helpers for benchmarks: timing child processes, peak memory, percentiles, the markdown table.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = fileURLToPath(new URL('../../bin/easytask', import.meta.url));

/** Run a command; resolve with wall time (ms), peak RSS (MiB, sampled every 5 ms from /proc) and output. */
export function measure(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], ...opts });
    let peakKb = 0;
    let out = '';
    const sample = () => {
      try {
        const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
      } catch {}
    };
    const timer = setInterval(sample, 5);
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(timer);
      resolve({ ms: performance.now() - t0, peakMiB: peakKb / 1024, code, out });
    });
  });
}

export function percentile(values, p) {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

export const median = (v) => percentile(v, 50);

/** Print rows as the markdown table every benchmark prints. */
export function printTable(title, rows) {
  console.log(`\n### ${title}\n`);
  console.log('| figure | value | baseline | ratio | target |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.figure} | ${r.value} | ${r.baseline ?? '-'} | ${r.ratio ?? '-'} | ${r.target ?? '-'} |`);
}

export const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
