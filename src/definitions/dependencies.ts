// Dependency checks across definitions: parse errors with columns, names in scope, cycles as paths.
import { atomsOf, parseDependency, type Expr } from '../core/dependency.js';
import type { ValidationIssue } from '../core/validate/index.js';
import type { StoredDefinition } from '../store/index.js';
import type { PreparedItem } from './apply.js';

interface Node {
  kind: 'task' | 'group';
  name: string;
  instance: string;
  /** Group membership for tasks ('' for standalone tasks). */
  scope: string;
  dependency?: string;
  item?: PreparedItem;
}

const keyOf = (n: { kind: string; instance: string; name: string }) => `${n.kind}:${n.instance}/${n.name}`;

/** The definitions as they will be after the batch is written: the store's, overridden by the batch. */
function graphNodes(items: PreparedItem[], stored: readonly StoredDefinition[] | undefined, dropStore: boolean): Map<string, Node> {
  const nodes = new Map<string, Node>();
  const add = (kind: 'task' | 'group', def: { name: string; instance: string; dependency?: string; task_group?: string }, item?: PreparedItem) =>
    nodes.set(keyOf({ kind, ...def }), { kind, name: def.name, instance: def.instance, scope: kind === 'task' ? (def.task_group ?? '') : '', dependency: def.dependency, item });
  if (stored && !dropStore) for (const s of stored) add(s.definition.kind, s.definition.def);
  for (const it of items) add(it.input.kind, it.input.def, it);
  return nodes;
}

function issue(it: PreparedItem, message: string, expected: string): ValidationIssue {
  return { file: it.file, index: it.index, kind: it.input.kind, name: it.input.def.name, pointer: `${it.pointer}/dependency`, value: it.input.def.dependency, message, expected };
}

/** Every dependency problem in the batch, judged against the stored definitions as the batch leaves them. */
export function checkDependencies(items: PreparedItem[], stored: readonly StoredDefinition[] | undefined, opts: { sync?: boolean } = {}): ValidationIssue[] {
  const nodes = graphNodes(items, stored, !!opts.sync);
  const issues: ValidationIssue[] = [];
  const edges = new Map<string, string[]>();
  for (const [key, n] of nodes) {
    if (!n.dependency) continue;
    const parsed = parseDependency(n.dependency);
    if (!parsed.ok) {
      if (n.item) issues.push(issue(n.item, `dependency ${parsed.message}`, 'an expression of atoms such as S:name joined by and, or, not and parentheses'));
      continue;
    }
    edges.set(key, referencedKeys(n, parsed.expr, nodes, issues));
  }
  issues.push(...cycles(nodes, edges));
  return issues;
}

function referencedKeys(n: Node, expr: Expr, nodes: Map<string, Node>, issues: ValidationIssue[]): string[] {
  const out: string[] = [];
  for (const a of atomsOf(expr)) {
    const key = keyOf({ kind: n.kind, instance: n.instance, name: a.name });
    const target = nodes.get(key);
    const scope = n.kind === 'task' ? `group "${n.scope}"` : `instance ${n.instance}`;
    if (!target) {
      const other = nodes.get(keyOf({ kind: n.kind === 'task' ? 'group' : 'task', instance: n.instance, name: a.name }));
      const why = other ? `"${a.name}" is a ${other.kind}; a ${n.kind} depends on ${n.kind}s only` : `no ${n.kind} named "${a.name}"`;
      if (n.item) issues.push(issue(n.item, `dependency refers to ${a.letter}:${a.name} at column ${a.column}: ${why}`, `names of ${n.kind === 'task' ? 'tasks in the same group' : 'groups'}`));
    } else if (n.kind === 'task' && target.scope !== n.scope) {
      if (n.item) issues.push(issue(n.item, `dependency refers to ${a.letter}:${a.name} at column ${a.column}, which is not in ${scope}`, 'names of tasks in the same group'));
    } else if (target.name === n.name) {
      if (n.item) issues.push(issue(n.item, `dependency refers to itself (${a.letter}:${a.name} at column ${a.column})`, `names of other ${n.kind}s`));
    } else out.push(key);
  }
  return out;
}

/** Each cycle once, reported at a batch definition on it, as a path "a → b → c → a". */
function cycles(nodes: Map<string, Node>, edges: Map<string, string[]>): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (key: string): void => {
    state.set(key, 'open');
    path.push(key);
    for (const next of edges.get(key) ?? []) {
      if (state.get(next) === 'open') {
        const loop = path.slice(path.indexOf(next)).concat(next);
        const at = loop.map((k) => nodes.get(k)!).find((n) => n.item);
        const names = loop.map((k) => nodes.get(k)!.name).join(' → ');
        if (at?.item) issues.push(issue(at.item, `dependency cycle: ${names}`, 'dependencies without a cycle'));
      } else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(key, 'done');
  };
  for (const key of edges.keys()) if (!state.has(key)) visit(key);
  return issues;
}
