// Reads a V8 heap snapshot (.heapsnapshot) and summarises it the way DevTools' "Summary" view does: per
// constructor, the objects' own (shallow) size and the size they keep alive (retained, from the dominator
// tree). Used by bench:memory; run alone with `node --import tsx bench/heap-summary.ts <file>`.
import { readFileSync } from 'node:fs';

/** One constructor's line in the summary. */
export interface HeapGroup {
  /** Constructor (objects), or the node type in parentheses ("(string)", "(code)", native names). */
  name: string;
  count: number;
  /** Bytes the objects occupy themselves. */
  selfBytes: number;
  /** Bytes freed if every object of the group went (group members inside each other counted once). */
  retainedBytes: number;
}

export interface HeapSummary {
  totalBytes: number;
  nodes: number;
  /** Groups by retained size, largest first. */
  groups: HeapGroup[];
}

interface Snapshot {
  snapshot: {
    meta: {
      node_fields: string[];
      node_types: [string[], ...unknown[]];
      edge_fields: string[];
      edge_types: [string[], ...unknown[]];
    };
  };
  nodes: number[];
  edges: number[];
  strings: string[];
}

/** Parses the snapshot file and returns the `top` groups by retained size. */
export function summariseHeapSnapshot(file: string, top = 15): HeapSummary {
  const snap = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const { meta } = snap.snapshot;
  const nf = meta.node_fields.length;
  const ef = meta.edge_fields.length;
  const nType = meta.node_fields.indexOf('type');
  const nName = meta.node_fields.indexOf('name');
  const nSize = meta.node_fields.indexOf('self_size');
  const nEdges = meta.node_fields.indexOf('edge_count');
  const eType = meta.edge_fields.indexOf('type');
  const eTo = meta.edge_fields.indexOf('to_node');
  const nodeTypes = meta.node_types[0];
  const weak = meta.edge_types[0].indexOf('weak');
  const shortcut = meta.edge_types[0].indexOf('shortcut');
  const n = snap.nodes.length / nf;

  // Edges as a CSR list of successors (node indices), skipping weak references.
  const firstEdge = new Uint32Array(n + 1);
  for (let i = 0, e = 0; i < n; i++) {
    firstEdge[i] = e;
    e += snap.nodes[i * nf + nEdges];
    firstEdge[i + 1] = e;
  }
  const succ = new Int32Array(snap.edges.length / ef);
  for (let k = 0; k < succ.length; k++) {
    const t = snap.edges[k * ef + eType];
    succ[k] = t === weak || t === shortcut ? -1 : snap.edges[k * ef + eTo] / nf;
  }

  // Reverse postorder from the root (node 0), iteratively.
  const order = new Int32Array(n).fill(-1);
  const post: number[] = [];
  const stack = [0];
  const cursor = new Uint32Array(n);
  order[0] = 0;
  for (let i = 0; i < n; i++) cursor[i] = firstEdge[i];
  while (stack.length) {
    const v = stack[stack.length - 1];
    if (cursor[v] < firstEdge[v + 1]) {
      const w = succ[cursor[v]++];
      if (w >= 0 && order[w] === -1) {
        order[w] = 0;
        stack.push(w);
      }
    } else {
      stack.pop();
      order[v] = post.length;
      post.push(v);
    }
  }
  // Predecessors of reachable nodes.
  const predCount = new Uint32Array(n + 1);
  for (let v = 0; v < n; v++)
    if (order[v] >= 0)
      for (let k = firstEdge[v]; k < firstEdge[v + 1]; k++) if (succ[k] >= 0) predCount[succ[k] + 1]++;
  for (let v = 0; v < n; v++) predCount[v + 1] += predCount[v];
  const pred = new Int32Array(predCount[n]);
  const fill = predCount.slice(0, n);
  for (let v = 0; v < n; v++)
    if (order[v] >= 0)
      for (let k = firstEdge[v]; k < firstEdge[v + 1]; k++) if (succ[k] >= 0) pred[fill[succ[k]]++] = v;

  // Cooper, Harvey & Kennedy's iterative dominators, indices in postorder.
  const idom = new Int32Array(post.length).fill(-1);
  const rootPo = order[0];
  idom[rootPo] = rootPo;
  const intersect = (a: number, b: number) => {
    while (a !== b) {
      while (a < b) a = idom[a];
      while (b < a) b = idom[b];
    }
    return a;
  };
  for (let changed = true; changed;) {
    changed = false;
    for (let p = post.length - 1; p >= 0; p--) {
      if (p === rootPo) continue;
      const v = post[p];
      let d = -1;
      for (let k = predCount[v]; k < predCount[v + 1]; k++) {
        const q = order[pred[k]];
        if (idom[q] === -1) continue;
        d = d === -1 ? q : intersect(q, d);
      }
      if (d !== -1 && idom[p] !== d) {
        idom[p] = d;
        changed = true;
      }
    }
  }
  // Retained sizes: children before their dominator (postorder does that).
  const retained = new Float64Array(post.length);
  for (let p = 0; p < post.length; p++) retained[p] += snap.nodes[post[p] * nf + nSize];
  for (let p = 0; p < post.length; p++) if (p !== rootPo) retained[idom[p]] += retained[p];

  const groupOf = (v: number) => {
    const type = nodeTypes[snap.nodes[v * nf + nType]];
    const name = snap.strings[snap.nodes[v * nf + nName]];
    if (type === 'object' || type === 'native') return name.split(' ')[0] || `(${type})`;
    if (type === 'closure') return '(closure)';
    return `(${type})`;
  };
  const groups = new Map<string, number>();
  const groupIndex = new Int32Array(post.length);
  const byIndex: HeapGroup[] = [];
  for (let p = 0; p < post.length; p++) {
    const v = post[p];
    const name = groupOf(v);
    let gi = groups.get(name);
    if (gi === undefined) {
      groups.set(name, (gi = byIndex.length));
      byIndex.push({ name, count: 0, selfBytes: 0, retainedBytes: 0 });
    }
    groupIndex[p] = gi;
    const g = byIndex[gi];
    g.count++;
    g.selfBytes += snap.nodes[v * nf + nSize];
  }
  // A group's retained size counts only members with no other member above them in the dominator tree:
  // one walk down the tree, counting each group's members on the current path.
  const childStart = new Uint32Array(post.length + 1);
  for (let p = 0; p < post.length; p++) if (p !== rootPo && idom[p] >= 0) childStart[idom[p] + 1]++;
  for (let p = 0; p < post.length; p++) childStart[p + 1] += childStart[p];
  const children = new Int32Array(childStart[post.length]);
  const at = childStart.slice(0, post.length);
  for (let p = 0; p < post.length; p++) if (p !== rootPo && idom[p] >= 0) children[at[idom[p]]++] = p;
  const onPath = new Int32Array(byIndex.length);
  const walk = [rootPo];
  const next = childStart.slice(0, post.length);
  onPath[groupIndex[rootPo]]++;
  while (walk.length) {
    const p = walk[walk.length - 1];
    if (next[p] < childStart[p + 1]) {
      const c = children[next[p]++];
      const gi = groupIndex[c];
      if (onPath[gi] === 0) byIndex[gi].retainedBytes += retained[c];
      onPath[gi]++;
      walk.push(c);
    } else {
      onPath[groupIndex[p]]--;
      walk.pop();
    }
  }
  const list = byIndex
    .filter((g) => g.name !== '(synthetic)')
    .sort((a, b) => b.retainedBytes - a.retainedBytes);
  return { totalBytes: retained[rootPo], nodes: post.length, groups: list.slice(0, top) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const s = summariseHeapSnapshot(process.argv[2], Number(process.argv[3] ?? 25));
  console.log(`${(s.totalBytes / 2 ** 20).toFixed(1)} MB in ${s.nodes} nodes`);
  console.table(
    s.groups.map((g) => ({
      name: g.name,
      count: g.count,
      selfMB: (g.selfBytes / 2 ** 20).toFixed(1),
      retainedMB: (g.retainedBytes / 2 ** 20).toFixed(1),
    })),
  );
}
