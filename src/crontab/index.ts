// The crontab translator's public surface: pure functions from crontab text to task definitions.
export { checkTranslation, documentOf } from './check.js';
export { detectFormat, formatFromPath } from './format.js';
export { translateCrontab, type TranslateOptions } from './translate.js';
export type { CronTask, CrontabFormat, CrontabNote, Translation, TranslatedLine, UntranslatedLine } from './types.js';
