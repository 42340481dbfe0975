// Parsing and validation of task and group definitions: the public surface.

export { formatIssue, type ValidationIssue } from './issue.js';
export { validateBatch, validateDocument } from './batch.js';
export { DOCUMENT_EXPECTED } from './document.js';
export { STRICT_GROUP, STRICT_STANDALONE, STRICT_TASK } from './strict.js';
export type {
  BatchEntry,
  Entry,
  GroupInput,
  TaskInput,
  ValidatedBatch,
  ValidatedDocument,
  ValidateOptions,
} from './types.js';
