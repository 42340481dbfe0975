// Holds the view-model state outside React: the feed dispatches, components subscribe (useSyncExternalStore).
import { reduce } from './model/reducer.js';
import type { ViewState, WatchAction } from './model/types.js';

export class ViewStore {
  private listeners = new Set<() => void>();
  constructor(private state: ViewState) {}

  getState = (): ViewState => this.state;

  dispatch = (action: WatchAction): void => {
    const next = reduce(this.state, action);
    if (next === this.state) return;
    this.state = next;
    for (const l of this.listeners) l();
  };

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
}
