// Builds dist/easytask.cjs (one CommonJS bundle) with better-sqlite3's native addon beside it.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const outdir = 'dist';
mkdirSync(outdir, { recursive: true });

await build({
  entryPoints: ['src/cli/main.ts'],
  outfile: join(outdir, 'easytask.cjs'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  keepNames: true,
  sourcemap: 'linked',
  legalComments: 'none',
  // import() would break inside a single-executable build; turn it into require().
  supported: { 'dynamic-import': false },
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: 'const importMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  logLevel: 'warning',
});

const addon = join(dirname(require.resolve('better-sqlite3/package.json')), 'build', 'Release', 'better_sqlite3.node');
copyFileSync(addon, join(outdir, 'better_sqlite3.node'));
writeFileSync(join(outdir, 'package.json'), '{"type":"commonjs"}\n');
// A fresh V8 code cache for the launcher: the old one belongs to the old bundle.
rmSync(join(outdir, 'easytask.cjs.cache'), { force: true });
execFileSync(process.execPath, ['bin/easytask', '--help'], { stdio: 'ignore' });
console.log(`built ${outdir}/easytask.cjs and ${outdir}/better_sqlite3.node`);
