// Next-fire throughput of the schedule engine over 10,000 varied tasks, against cron-parser's own
// next() on equivalent cron expressions measured in the same run.
// Run: node --import tsx test/bench/next-fire.bench.mjs   (add --json for machine-readable output)

import { CronExpressionParser } from 'cron-parser';
import { clearPlanCache, nextFire, nextFires } from '../../src/schedule/index.ts';
import { makeCalendar } from '../../src/schedule/calendar.ts';

const TASKS = 10_000;
const ZONES = [
  'UTC', 'America/New_York', 'US/Eastern', 'Europe/London', 'Europe/Berlin', 'Asia/Kolkata', 'Asia/Tokyo',
  'Australia/Sydney', 'Australia/Lord_Howe', 'America/Santiago', 'Pacific/Apia', 'America/Sao_Paulo',
  'America/Los_Angeles', 'Africa/Cairo', 'Asia/Tehran', 'Pacific/Chatham', 'America/St_Johns', 'Asia/Kathmandu',
  'Europe/Moscow', 'America/Havana',
];
const MASKS = ['1111111', '1111100', '0000011', '1010100', '0100000'];

// A deterministic pseudo-random generator so every run measures the same tasks.
let seed = 42;
const rand = (n) => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed % n;
};
const pad = (n) => String(n).padStart(2, '0');
const cronDow = (mask) => [...mask].map((c, i) => (c === '1' ? (i + 1) % 7 : -1)).filter((d) => d >= 0).join(',');

/** One task as EasyTask schedule fields plus an equivalent cron expression. */
function makeTask(i) {
  const timezone = ZONES[rand(ZONES.length)];
  const day_of_week = MASKS[rand(MASKS.length)];
  const dow = cronDow(day_of_week);
  const h = rand(24);
  const m = rand(60);
  switch (i % 4) {
    case 0:
      return { s: { timezone, day_of_week, trigger_times: `${pad(h)}:${pad(m)}` }, cron: `${m} ${h} * * ${dow}` };
    case 1: {
      const h2 = Math.min(23, h + 1 + rand(8));
      const every = [5, 10, 15, 20, 30][rand(5)];
      return { s: { timezone, day_of_week, run_frequency: `${pad(h)}:00-${pad(h2)}:59-${every}` }, cron: `*/${every} ${h}-${h2} * * ${dow}` };
    }
    case 2: {
      const h2 = (h + 12) % 24;
      return {
        s: { timezone, day_of_week, trigger_times: [h, h2].sort((a, b) => a - b).map((x) => `${pad(x)}:${pad(m)}`).join(',') },
        cron: `${m} ${Math.min(h, h2)},${Math.max(h, h2)} * * ${dow}`,
      };
    }
    default: {
      const cron = [`${m} ${h} * * *`, `*/5 * * * *`, `0 ${h} 1,15 * *`, `${m} ${h} * * 1-5`, `0 */2 * * *`][rand(5)];
      return { s: { timezone, day_of_week: '1111111', cron }, cron };
    }
  }
}

const tasks = Array.from({ length: TASKS }, (_, i) => makeTask(i));
const after = Date.parse('2025-03-08T12:00:00Z');
const holidays = makeCalendar('BENCH', '', 'bench', [{ from: '2025-03-09', to: '2025-03-20', reason: 'closed' }]);
const calendars = new Map([['BENCH', holidays]]);
const withCalendars = tasks.map((t, i) => ({ ...t.s, calendar: i % 2 === 0 ? 'BENCH' : undefined, ...(i % 7 === 0 ? { ordinal_day: 'last friday of every month' } : {}) }));

function time(fn, rounds = 5) {
  fn(); // warm-up
  const runs = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    fn();
    runs.push(performance.now() - t0);
  }
  runs.sort((a, b) => a - b);
  return runs[Math.floor(runs.length / 2)];
}

const rate = (ms) => Math.round((TASKS / ms) * 1000);
let sink = 0;
const ours = time(() => { for (const t of tasks) sink += nextFire(t.s, calendars, after) ?? 0; });
const oursCold = time(() => { clearPlanCache(); for (const t of tasks) sink += nextFire(t.s, calendars, after) ?? 0; });
const oursCal = time(() => { for (const s of withCalendars) sink += nextFire(s, calendars, after) ?? 0; });
const oursList = time(() => { for (const t of tasks) sink += nextFires(t.s, calendars, after, 10).fires.length; }, 3);
const parsed = tasks.map((t) => CronExpressionParser.parse(t.cron, { tz: t.s.timezone, currentDate: new Date(after) }));
const cpNext = time(() => { for (const e of parsed) { e.reset(new Date(after)); sink += e.next().getTime(); } });
const cpList = time(() => { for (const e of parsed) { e.reset(new Date(after)); sink += e.take(10).length; } }, 3);
const cpCold = time(() => {
  for (const t of tasks) sink += CronExpressionParser.parse(t.cron, { tz: t.s.timezone, currentDate: new Date(after) }).next().getTime();
}, 3);

// Same answers? They differ only where cron-parser skips a time inside a DST gap that EasyTask fires at the gap's end.
let agree = 0;
tasks.forEach((t, i) => {
  parsed[i].reset(new Date(after));
  if (nextFire(t.s, calendars, after) === parsed[i].next().getTime()) agree++;
});

const rows = [
  ['next fire / s, 10,000 tasks, warm (plans cached)', rate(ours), rate(cpNext), 'cron-parser next(), pre-parsed'],
  ['next fire / s, 10,000 tasks, cold (plans re-parsed)', rate(oursCold), rate(cpCold), 'cron-parser parse + next()'],
  ['next fire / s, half with a calendar, 1/7 ordinal', rate(oursCal), rate(cpNext), 'cron-parser next(), pre-parsed'],
  ['next 10 fires / s (nextFires, formatted)', rate(oursList), rate(cpList), 'cron-parser take(10)'],
];
const total = { ms: ours, target: 1000 };
if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ rows, agree, warmTotalMs: ours, coldTotalMs: oursCold, sink: sink > 0 }));
} else {
  console.log(`schedule engine vs cron-parser ${TASKS} tasks, ${ZONES.length} zones, after ${new Date(after).toISOString()}\n`);
  console.log('| figure | value | baseline | ratio | target |');
  console.log('|---|---|---|---|---|');
  for (const [label, value, base, baseLabel] of rows) {
    console.log(`| ${label} | ${value.toLocaleString('en-US')} | ${Math.round(base).toLocaleString('en-US')} (${baseLabel}) | ${(value / base).toFixed(1)}× | ≥ 1× |`);
  }
  console.log(`| same next fire as cron-parser | ${agree.toLocaleString('en-US')} of ${TASKS.toLocaleString('en-US')} | | | differs only at DST gaps |`);
  console.log(`| total for 10,000 tasks, warm / cold | ${ours.toFixed(1)} ms / ${oursCold.toFixed(1)} ms | ${cpNext.toFixed(1)} ms / ${cpCold.toFixed(1)} ms | ${(cpNext / ours).toFixed(1)}× / ${(cpCold / oursCold).toFixed(1)}× | < ${total.target} ms |`);
}
