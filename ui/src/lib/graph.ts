// The Graph view's data: agents and what they reach, as React Flow nodes and edges, laid
// out left to right by dagre. `buildGraph` is pure (unit-tested); `layoutGraph` only sets
// positions. Node ids are prefixed by kind (`agent:`, `tool:` …), which also keeps them
// clear of Object.prototype names in dagre's plain-object maps (the app freezes prototypes).
import dagre from '@dagrejs/dagre';
import type { Edge, Node } from '@xyflow/react';
import type { Agent } from '../bindings/Agent';
import type { Resources } from '../bindings/Resources';
import type { RiskTier } from '../bindings/RiskTier';

export type EntityKind = 'agent' | 'tool' | 'dataset' | 'model';
export type RelationKind = 'tool' | 'dataset' | 'model' | 'delegate';

export interface EntityData extends Record<string, unknown> {
  kind: EntityKind;
  /** The record id (agent id, tool id …). */
  entityId: string;
  label: string;
  /** Second line: agent name, tool system, dataset classification, model provider. */
  detail: string;
  tier: RiskTier | null;
  /** Referenced but not defined in the inventory. */
  missing: boolean;
  /** An agent outside the current filter, shown because a shown agent delegates to it. */
  outside: boolean;
}

export type EntityNode = Node<EntityData, 'entity'>;
export type RelationEdge = Edge<{ relation: RelationKind }>;

/** Node colours by risk tier — the legend, node borders and the minimap use the same. */
export const TIER_COLORS: Record<RiskTier, string> = {
  low: '#17b26a',
  medium: '#f79009',
  high: '#f04438',
  critical: '#a11043',
};

export const KIND_COLORS: Record<Exclude<EntityKind, 'agent'>, string> = {
  tool: '#2e90fa',
  dataset: '#7a5af8',
  model: '#0e9384',
};

export const KIND_LABELS: Record<EntityKind, string> = {
  agent: 'Agent',
  tool: 'Tool',
  dataset: 'Dataset',
  model: 'Model',
};

export const DEFAULT_GRAPH_CAP = 300;
export const NODE_WIDTH = 190;
export const NODE_HEIGHT = 46;

export interface GraphModel {
  nodes: EntityNode[];
  edges: RelationEdge[];
  /** Agents drawn (after the cap). */
  shownAgents: number;
  /** Agents left out by the cap. */
  cappedAgents: number;
}

export function nodeId(kind: EntityKind, id: string): string {
  return `${kind}:${id}`;
}

export function nodeColor(data: Pick<EntityData, 'kind' | 'tier'>): string {
  if (data.kind === 'agent') return data.tier ? TIER_COLORS[data.tier] : '#98a2b3';
  return KIND_COLORS[data.kind];
}

function nodeClass(d: EntityData): string {
  const classes = ['gnode', `gnode-${d.kind}`];
  if (d.tier) classes.push(`tier-${d.tier}`);
  if (d.missing) classes.push('gnode-missing');
  if (d.outside) classes.push('gnode-outside');
  return classes.join(' ');
}

function entityNode(data: EntityData): EntityNode {
  return {
    id: nodeId(data.kind, data.entityId),
    type: 'entity',
    position: { x: 0, y: 0 },
    data,
    className: nodeClass(data),
    // Fixed sizes: the minimap and the first fit need no measuring.
    width: NODE_WIDTH,
    height: NODE_HEIGHT,
    // Only agents open something; resources are context.
    selectable: data.kind === 'agent' && !data.missing,
    draggable: true,
    connectable: false,
  };
}

function agentData(a: Agent, outside: boolean): EntityData {
  return {
    kind: 'agent',
    entityId: a.id,
    label: a.id,
    detail: a.name,
    tier: a.risk_tier,
    missing: false,
    outside,
  };
}

/**
 * Nodes for the first `cap` of `agents` (already filtered and sorted by the caller), the
 * tools, datasets and models they use, and the agents they delegate to; edges agent →
 * resource and agent → delegate. `allAgents` resolves delegates outside the filter.
 */
export function buildGraph(
  agents: readonly Agent[],
  resources: Resources,
  allAgents: readonly Agent[] = agents,
  cap: number = DEFAULT_GRAPH_CAP,
): GraphModel {
  const shown = agents.slice(0, Math.max(0, cap));
  const shownIds = new Set(shown.map((a) => a.id));
  const byId = new Map(allAgents.map((a) => [a.id, a]));
  const tools = new Map(resources.tools.map((t) => [t.id, t]));
  const datasets = new Map(resources.datasets.map((d) => [d.id, d]));
  const models = new Map(resources.models.map((m) => [m.id, m]));

  const nodes = new Map<string, EntityNode>();
  const edges = new Map<string, RelationEdge>();
  for (const a of shown) {
    const n = entityNode(agentData(a, false));
    nodes.set(n.id, n);
  }

  const ensure = (kind: Exclude<EntityKind, 'agent'>, id: string): string => {
    const key = nodeId(kind, id);
    if (nodes.has(key)) return key;
    let detail = '';
    let missing = false;
    if (kind === 'tool') {
      const t = tools.get(id);
      missing = !t;
      detail = t ? t.system : 'not in resources.toml';
    } else if (kind === 'dataset') {
      const d = datasets.get(id);
      missing = !d;
      detail = d ? d.classification : 'not in resources.toml';
    } else {
      const m = models.get(id);
      missing = !m;
      detail = m ? (m.provider ?? '') : 'not in resources.toml';
    }
    nodes.set(key, entityNode({ kind, entityId: id, label: id, detail, tier: null, missing, outside: false }));
    return key;
  };

  const link = (source: string, target: string, relation: RelationKind) => {
    const id = `${relation}|${source}|${target}`;
    if (edges.has(id)) return;
    const delegate = relation === 'delegate';
    edges.set(id, {
      id,
      source,
      target,
      data: { relation },
      className: `gedge gedge-${relation}`,
      animated: delegate,
      markerEnd: { type: 'arrowclosed' },
      focusable: false,
    });
  };

  for (const a of shown) {
    const from = nodeId('agent', a.id);
    for (const t of a.tools ?? []) link(from, ensure('tool', t), 'tool');
    for (const d of a.datasets ?? []) link(from, ensure('dataset', d), 'dataset');
    for (const m of a.models ?? []) link(from, ensure('model', m), 'model');
    for (const target of a.delegates ?? []) {
      const key = nodeId('agent', target);
      if (!nodes.has(key)) {
        const other = byId.get(target);
        nodes.set(
          key,
          entityNode(
            other
              ? agentData(other, !shownIds.has(target))
              : { kind: 'agent', entityId: target, label: target, detail: 'no such agent', tier: null, missing: true, outside: false },
          ),
        );
      }
      link(from, key, 'delegate');
    }
  }

  return {
    nodes: [...nodes.values()],
    edges: [...edges.values()],
    shownAgents: shown.length,
    cappedAgents: agents.length - shown.length,
  };
}

/** Below this zoom, labels are unreadable: a large graph opens at this zoom, at its top. */
export const MIN_READABLE_ZOOM = 0.75;

/**
 * The first viewport: the whole graph when it fits at a readable zoom, else its top part
 * at `MIN_READABLE_ZOOM`, horizontally centred (the minimap and panning reach the rest).
 */
export function initialViewport(
  nodes: readonly Pick<EntityNode, 'position'>[],
  width: number,
  height: number,
  pad = 24,
): { x: number; y: number; zoom: number } {
  if (nodes.length === 0 || width <= 0 || height <= 0) return { x: 0, y: 0, zoom: 1 };
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const n of nodes) {
    minX = Math.min(minX, n.position.x);
    minY = Math.min(minY, n.position.y);
    maxX = Math.max(maxX, n.position.x + NODE_WIDTH);
    maxY = Math.max(maxY, n.position.y + NODE_HEIGHT);
  }
  const w = maxX - minX;
  const h = maxY - minY;
  const fit = Math.min((width - 2 * pad) / w, (height - 2 * pad) / h, 1.1);
  const zoom = Math.max(fit, MIN_READABLE_ZOOM);
  const x = w * zoom <= width - 2 * pad ? (width - w * zoom) / 2 - minX * zoom : pad - minX * zoom;
  const y = h * zoom <= height - 2 * pad ? (height - h * zoom) / 2 - minY * zoom : pad - minY * zoom;
  return { x, y, zoom };
}

/** Positions every node left to right: agents first, what they reach to their right. */
export function layoutGraph(model: GraphModel): EntityNode[] {
  const g = new dagre.graphlib.Graph({ multigraph: false });
  g.setGraph({ rankdir: 'LR', nodesep: 14, ranksep: 90, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of model.nodes) g.setNode(n.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const e of model.edges) g.setEdge(e.source, e.target);
  dagre.layout(g);
  return model.nodes.map((n) => {
    const p = g.node(n.id) as { x: number; y: number } | undefined;
    return p ? { ...n, position: { x: p.x - NODE_WIDTH / 2, y: p.y - NODE_HEIGHT / 2 } } : n;
  });
}
