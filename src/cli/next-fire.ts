// The next fire instant of a definition, for list and show.
import type { Definition } from '../core/task.js';
import type { Store } from '../store/index.js';

export function nextFireOf(_store: Store): (d: Definition) => number | undefined {
  return () => undefined;
}
