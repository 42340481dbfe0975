// The embedded driver: a real SQLite file in a temporary home.
import { FakeClock } from '../../src/core/clock.js';
import { Store } from '../../src/store/index.js';
import { MIGRATIONS, schemaVersion } from '../../src/store/index.js';
import { afterEach, expect, it } from 'vitest';
import { tempStore } from '../helpers/home.js';
import { storeContract } from './contract.js';

const opened: Store[] = [];
afterEach(() => {
  for (const s of opened.splice(0)) s.close();
});

storeContract('SQLite', () => {
  const { store, clock, home } = tempStore();
  return {
    store,
    clock,
    reopen: () => {
      const s = Store.open(home, new FakeClock(clock.now()));
      opened.push(s);
      return s;
    },
  };
});

it('SQLite: a new file is at the newest schema version', () => {
  const { store } = tempStore();
  expect(schemaVersion(store.db)).toBe(MIGRATIONS.at(-1)!.version);
});
