// Retry delay: the task's base delay doubled per attempt, capped, with ±10 % jitter.
import { DEFAULTS } from '../core/defaults.js';

export function retryDelayMs(baseSeconds: number, failedAttempt: number, random: () => number = Math.random): number {
  if (baseSeconds <= 0) return 0;
  const raw = Math.min(DEFAULTS.retryDelayCapSeconds, baseSeconds * 2 ** Math.max(0, failedAttempt - 1));
  const jitter = 1 + (random() - 0.5) * 0.2;
  return Math.round(raw * 1000 * jitter);
}
