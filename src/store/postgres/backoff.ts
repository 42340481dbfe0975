// How long to wait before connecting again after `failures` failures in a row: 250 ms doubling to 5 s.
export function backoffDelay(failures: number): number {
  return Math.min(5000, 250 * 2 ** Math.max(0, Math.min(failures - 1, 10)));
}
