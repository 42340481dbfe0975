// A copy-on-write view of the tree for one reducer step: untouched nodes stay shared with the previous state.
import type { TreeNode, ViewState } from './types.js';

export class Draft {
  private map: Map<string, TreeNode> | null = null;
  private readonly owned = new Set<string>();
  private rootList: string[] | null = null;

  constructor(private readonly base: Pick<ViewState, 'nodes' | 'roots'>) {}

  get(id: string): TreeNode | undefined {
    return (this.map ?? this.base.nodes).get(id);
  }

  get roots(): readonly string[] {
    return this.rootList ?? this.base.roots;
  }

  /** The node, copied once per step so it may be changed in place. */
  mut(id: string): TreeNode {
    const node = this.get(id);
    if (!node) throw new Error(`view-model: no node ${id}`);
    if (this.owned.has(id)) return node;
    const copy = { ...node, children: [...node.children] } as TreeNode;
    this.put(copy);
    return copy;
  }

  /** Add or replace a node that this step built. */
  put(node: TreeNode): void {
    this.map ??= new Map(this.base.nodes);
    this.map.set(node.id, node);
    this.owned.add(node.id);
  }

  delete(id: string): void {
    this.map ??= new Map(this.base.nodes);
    this.map.delete(id);
    this.owned.delete(id);
  }

  addRoot(id: string): void {
    this.rootList ??= [...this.base.roots];
    this.rootList.push(id);
  }

  removeRoot(id: string): void {
    this.rootList = this.roots.filter((r) => r !== id);
  }

  /** Every node id, for whole-tree passes (filter changes). */
  ids(): IterableIterator<string> {
    return (this.map ?? this.base.nodes).keys();
  }

  /** True once this step changed the tree. */
  get touched(): boolean {
    return this.map !== null || this.rootList !== null;
  }

  result(): Pick<ViewState, 'nodes' | 'roots'> {
    return { nodes: this.map ?? this.base.nodes, roots: this.rootList ?? this.base.roots };
  }
}

/** Children arrays of nodes from mut()/put() are owned by the draft; this narrows the type for pushes. */
export const childrenOf = (node: TreeNode): string[] => node.children as string[];
