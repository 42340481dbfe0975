// Runs every test/bench/*.bench.mjs one after another and prints their tables as one markdown table.
// Run: npm run bench   (builds first; --no-build skips that, --quick sets BENCH_QUICK=1, --only NAME picks benchmarks)
// Each benchmark's progress goes to stderr; stdout gets only the combined table and the benchmarks' notes.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './lib.mjs';

const BENCH_DIR = join(ROOT, 'test', 'bench');
const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;

/** The benchmark files, in name order, optionally only those whose name contains --only. */
function benchFiles() {
  return readdirSync(BENCH_DIR)
    .filter((f) => f.endsWith('.bench.mjs') && (only === undefined || f.includes(only)))
    .sort();
}

/** Run one benchmark under tsx (some import TypeScript sources); resolve with its stdout and exit code. */
function runBench(file) {
  return new Promise((resolve) => {
    const env = { ...process.env, ...(args.includes('--quick') ? { BENCH_QUICK: '1' } : {}) };
    const child = spawn(process.execPath, ['--import', 'tsx', join(BENCH_DIR, file)], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    const started = performance.now();
    child.on('close', (code, signal) => resolve({ stdout, code: code ?? signal, seconds: (performance.now() - started) / 1000 }));
  });
}

const cells = (line) => line.trim().replace(/^\||\|$/g, '').split('|').map((c) => c.trim());
const isSeparator = (c) => c.every((x) => /^:?-+:?$/.test(x));

/**
 * The sections a benchmark printed: each `### title` (or the file name) with its table rows,
 * and the other non-empty lines as notes.
 */
function parseBenchOutput(stdout, file) {
  const sections = [];
  let current;
  const section = (title) => {
    current = { title, rows: [], notes: [] };
    sections.push(current);
  };
  for (const line of stdout.split('\n')) {
    if (/^#+ /.test(line)) section(line.replace(/^#+ /, '').trim());
    else if (line.trim().startsWith('|')) {
      const c = cells(line);
      if (c[0] === 'figure' || isSeparator(c)) continue;
      if (!current) section(file);
      current.rows.push(c);
    } else if (line.trim() !== '') {
      if (!current) section(file);
      current.notes.push(line.trim());
    }
  }
  return sections;
}

function printCombined(results) {
  const out = [];
  out.push(`## EasyTask benchmarks`, '');
  out.push(`Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${new Date().toISOString().slice(0, 16)}Z${args.includes('--quick') ? ', quick run' : ''}.`, '');
  out.push('| figure | value | baseline | ratio | target |', '|---|---|---|---|---|');
  const notes = [];
  for (const r of results) {
    if (r.code !== 0) out.push(`| **${r.file}** | failed (exit ${r.code}) after ${r.seconds.toFixed(0)} s | - | - | - |`);
    for (const s of r.sections) {
      out.push(`| **${s.title}** | | | | |`);
      for (const row of s.rows) out.push(`| ${[...row, '-', '-', '-', '-'].slice(0, Math.max(5, row.length)).join(' | ')} |`);
      for (const n of s.notes) notes.push(`- ${s.title}: ${n}`);
    }
  }
  if (notes.length) out.push('', 'Notes from the benchmarks:', '', ...notes);
  console.log(out.join('\n'));
}

async function main() {
  if (!args.includes('--no-build')) {
    process.stderr.write('bench: building (npm run build)…\n');
    const b = spawnSync(process.execPath, ['build.mjs'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    if (b.status !== 0) throw new Error('the build failed; no benchmark was run');
  }
  const results = [];
  for (const file of benchFiles()) {
    process.stderr.write(`bench: ${file}…\n`);
    const r = await runBench(file);
    process.stderr.write(`bench: ${file} ${r.code === 0 ? 'done' : `FAILED (exit ${r.code})`} in ${r.seconds.toFixed(0)} s\n`);
    results.push({ file, ...r, sections: parseBenchOutput(r.stdout, file) });
  }
  printCombined(results);
  if (results.some((r) => r.code !== 0)) process.exitCode = 1;
}

await main();
