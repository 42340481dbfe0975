import { describe, expect, it } from 'vitest';
import { baseName, NameAllocator } from '../../../src/crontab/names.js';

describe('task names from cron commands', () => {
  it('names a guarded command after what it runs, not after its guard', () => {
    expect(baseName('cd / && run-parts --report /etc/cron.hourly')).toBe('run-parts-cron-hourly');
    expect(baseName('test -x /usr/sbin/anacron || { cd / && run-parts --report /etc/cron.daily; }')).toBe('run-parts-cron-daily');
    expect(baseName('test -e /run/systemd/system || SERVICE_MODE=1 /usr/lib/x86_64-linux-gnu/e2fsprogs/e2scrub_all_cron')).toBe('e2scrub_all_cron');
  });

  it('drops redirections, flags and script extensions, and keeps the first command of a pipeline', () => {
    expect(baseName('$HOME/bin/daily.job >> $HOME/tmp/out 2>&1')).toBe('daily-job');
    expect(baseName('/opt/backup.sh --full > /dev/null')).toBe('backup');
    expect(baseName('pg_dump -Fc shop | gzip > /srv/shop.gz')).toBe('pg_dump-shop');
  });

  it('falls back to "cron" when nothing is left', () => {
    expect(baseName('cd / && true')).toBe('cron');
  });

  it('makes names unique, also against reserved ones', () => {
    const names = new NameAllocator(['backup']);
    expect(['/opt/backup.sh', '/opt/backup.sh', 'echo hi'].map((c) => names.next(c))).toEqual(['backup-2', 'backup-3', 'echo-hi']);
  });
});
