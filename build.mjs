// Builds dist/easytask.cjs (one CommonJS bundle) with better-sqlite3's native addon beside it.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const outdir = 'dist';
mkdirSync(outdir, { recursive: true });

// `node build.mjs --sea` only wraps the existing bundle into a single executable: see buildSea at the end.
if (process.argv.includes('--sea')) {
  await buildSea();
  process.exit(0);
}

// Ink 6 and yoga-layout 3 use top-level await, which CommonJS output cannot hold. Each patch names the exact
// text it replaces and fails the build if that text is gone (an upgrade changed the file: re-check the patch).
const INK_PATCHES = [
  {
    file: /[\\/]ink[\\/]build[\\/]reconciler\.js$/,
    edits: [
      // DEV-only React devtools hook-up; the bundle never runs Ink in DEV mode.
      ["await import('./devtools.js');", '/* devtools: not in the bundle */'],
      // DEV-only package.json read for the devtools.
      ['? await loadPackageJson()', '? { name: undefined, version: undefined }'],
    ],
  },
  {
    file: /[\\/]yoga-layout[\\/]dist[\\/]src[\\/]index\.js$/,
    edits: [
      // The wasm loads asynchronously: the default export is filled in when it is ready, and `ready`
      // (awaited by src/ui/yoga-ready.ts before the first render) says when. Ink touches Yoga only while rendering.
      [
        'const Yoga = wrapAssembly(await loadYoga());',
        'const Yoga = {};\nexport const ready = loadYoga().then((lib) => { Object.assign(Yoga, wrapAssembly(lib)); });',
      ],
    ],
  },
];

const inkBundlePatches = {
  name: 'ink-bundle-patches',
  setup(b) {
    const applied = new Set();
    b.onEnd((result) => {
      const missing = INK_PATCHES.filter((p) => !applied.has(p)).map((p) => String(p.file));
      if (missing.length && result.errors.length === 0) throw new Error(`never loaded, so never patched: ${missing.join(', ')}; update INK_PATCHES in build.mjs`);
    });
    for (const patch of INK_PATCHES) {
      const { file, edits } = patch;
      b.onLoad({ filter: file }, (args) => {
        applied.add(patch);
        let text = readFileSync(args.path, 'utf8');
        for (const [from, to] of edits) {
          if (!text.includes(from)) throw new Error(`${args.path} no longer contains ${JSON.stringify(from)}: update INK_PATCHES in build.mjs`);
          text = text.replace(from, to);
        }
        return { contents: text, loader: 'js' };
      });
    }
  },
};

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
  // React (Ink's renderer) in its production build: the development builds are not bundled (-290 KB) and never run.
  define: { 'import.meta.url': 'importMetaUrl', 'process.env.NODE_ENV': '"production"' },
  banner: { js: 'const importMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  logLevel: 'warning',
  // pg's optional native binding (libpq) is never used: the pure JavaScript client is.
  external: ['pg-native'],
  plugins: [inkBundlePatches],
});

const addon = join(dirname(require.resolve('better-sqlite3/package.json')), 'build', 'Release', 'better_sqlite3.node');
// Copy then rename: a daemon that has the old addon mapped keeps its inode and does not crash.
copyFileSync(addon, join(outdir, 'better_sqlite3.node.tmp'));
renameSync(join(outdir, 'better_sqlite3.node.tmp'), join(outdir, 'better_sqlite3.node'));
writeFileSync(join(outdir, 'package.json'), '{"type":"commonjs"}\n');
// A fresh V8 code cache for the launcher: the old one belongs to the old bundle.
rmSync(join(outdir, 'easytask.cjs.cache'), { force: true });
execFileSync(process.execPath, ['bin/easytask', '--help'], { stdio: 'ignore' });
console.log(`built ${outdir}/easytask.cjs and ${outdir}/better_sqlite3.node`);

// ---- Single executable (`node build.mjs --sea`, after `node build.mjs`) --------------------------------
// dist/easytask: a stripped copy of this node with the bundle as its main script (Node 20 SEA, injected
// with postject) and the SQLite addon and calendars as assets, which src/sea/assets.ts extracts at run time.
async function buildSea() {
  const fs = await import('node:fs');
  const started = performance.now();
  const bundle = join(outdir, 'easytask.cjs');
  if (!fs.existsSync(bundle)) throw new Error(`${bundle} is missing: run \`node build.mjs\` first (npm run build:sea does both)`);
  const work = fs.mkdtempSync(join(outdir, 'sea-'));
  try {
    const config = await writeSeaConfig(work, bundle);
    execFileSync(process.execPath, ['--experimental-sea-config', config], { stdio: 'pipe' });
    const exe = join(work, 'easytask');
    fs.copyFileSync(process.execPath, exe);
    try {
      execFileSync('strip', [exe], { stdio: 'ignore' });
    } catch {
      console.log('strip is not available (Debian: binutils): the executable keeps node\'s debug symbols');
    }
    const postject = join(dirname(require.resolve('postject/package.json')), 'dist', 'cli.js');
    const fuse = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
    execFileSync(process.execPath, [postject, exe, 'NODE_SEA_BLOB', join(work, 'sea-prep.blob'), '--sentinel-fuse', fuse], { stdio: 'pipe' });
    fs.chmodSync(exe, 0o755);
    smokeCheckSea(exe);
    fs.renameSync(exe, join(outdir, 'easytask'));
    const mb = fs.statSync(join(outdir, 'easytask')).size / 1e6;
    console.log(`built ${outdir}/easytask (${mb.toFixed(1)} MB) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** The SEA config and its assets: the addon, every calendar, and a manifest naming them with their hashes. */
async function writeSeaConfig(work, bundle) {
  const { createHash } = await import('node:crypto');
  const { readdirSync } = await import('node:fs');
  const { resolve } = await import('node:path');
  const sha = (...parts) => parts.reduce((h, p) => h.update(p), createHash('sha256')).digest('hex').slice(0, 16);
  const addon = join(outdir, 'better_sqlite3.node');
  const files = readdirSync('calendars').filter((f) => f.endsWith('.json')).sort();
  const version = JSON.parse(readFileSync('package.json', 'utf8')).version;
  const manifest = {
    version,
    addon: { sha256: sha(readFileSync(addon)) },
    calendars: { sha256: sha(...files.flatMap((f) => [f, readFileSync(join('calendars', f))])), files },
  };
  writeFileSync(join(work, 'manifest.json'), JSON.stringify(manifest));
  const assets = { 'manifest.json': resolve(work, 'manifest.json'), 'better_sqlite3.node': resolve(addon) };
  for (const f of files) assets[`calendars/${f}`] = resolve('calendars', f);
  const config = {
    main: resolve(bundle),
    output: resolve(work, 'sea-prep.blob'),
    disableExperimentalSEAWarning: true,
    useCodeCache: true,
    assets,
  };
  writeFileSync(join(work, 'sea-config.json'), JSON.stringify(config, null, 2));
  return join(work, 'sea-config.json');
}

/** A copy whose injection silently failed behaves as plain node: its --version must be ours, not node's. */
function smokeCheckSea(exe) {
  const version = JSON.parse(readFileSync('package.json', 'utf8')).version;
  const got = execFileSync(join(process.cwd(), exe), ['--version'], { encoding: 'utf8', cwd: '/' }).trim();
  if (got !== version) throw new Error(`${exe} --version printed ${JSON.stringify(got)}, expected ${version}: the injection failed`);
}
