// React hooks of the dashboard: the view-model store, the terminal size, and a followed log file.
import { useStdout } from 'ink';
import { useEffect, useState, useSyncExternalStore } from 'react';
import { TailReader } from './log-tail.js';
import type { ViewState } from './model/types.js';
import type { ViewStore } from './view-store.js';

/** Registers a function to run on every poll of the feed; returns the unsubscribe. */
export type PollSource = (fn: () => void) => () => void;

export const useView = (store: ViewStore): ViewState => useSyncExternalStore(store.subscribe, store.getState);

export function useTerminalSize(fallback = { columns: 100, rows: 30 }): { columns: number; rows: number } {
  const { stdout } = useStdout();
  const read = () => ({ columns: stdout.columns || fallback.columns, rows: stdout.rows || fallback.rows });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => void stdout.off('resize', onResize);
  }, [stdout]);
  return size;
}

/** The last lines of a file, re-read on each poll while `path` is set. */
export function useLogTail(polls: PollSource | undefined, path: string | null, keep = 500): string[] {
  const [lines, setLines] = useState<string[]>([]);
  useEffect(() => {
    if (!path) return void setLines([]);
    const reader = new TailReader(path, keep);
    reader.poll();
    setLines(reader.lines());
    return polls?.(() => {
      if (reader.poll()) setLines(reader.lines());
    });
  }, [polls, path, keep]);
  return lines;
}
