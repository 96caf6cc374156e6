import { describe, expect, it } from 'vitest';
import { agent, inventoryView } from '../test/fakeBackend';
import { buildGraph, initialViewport, layoutGraph, MIN_READABLE_ZOOM, nodeColor, TIER_COLORS } from './graph';

const { resources } = inventoryView();

describe('buildGraph', () => {
  const agents = [
    agent({ id: 'billing-bot', risk_tier: 'high', tools: ['stripe.refund'], datasets: ['customer-pii'], delegates: ['summariser'] }),
    agent({ id: 'summariser', risk_tier: 'low', tools: [], models: ['gpt-large'], delegates: ['billing-bot'] }),
  ];

  it('makes a node per agent and per resource it reaches, each resource once', () => {
    const g = buildGraph([...agents, agent({ id: 'refunds-2', tools: ['stripe.refund'] })], resources);
    expect(g.nodes.map((n) => n.id).sort()).toEqual([
      'agent:billing-bot',
      'agent:refunds-2',
      'agent:summariser',
      'dataset:customer-pii',
      'model:gpt-large',
      'tool:stripe.refund',
    ]);
    const tool = g.nodes.find((n) => n.id === 'tool:stripe.refund')!;
    expect(tool.data).toMatchObject({ kind: 'tool', detail: 'stripe', missing: false });
    expect(tool.className).toContain('gnode-tool');
  });

  it('draws agent → resource edges and distinct, animated delegation edges', () => {
    const g = buildGraph(agents, resources);
    const edge = (s: string, t: string) => g.edges.find((e) => e.source === s && e.target === t);
    expect(edge('agent:billing-bot', 'tool:stripe.refund')?.data?.relation).toBe('tool');
    expect(edge('agent:billing-bot', 'dataset:customer-pii')?.data?.relation).toBe('dataset');
    expect(edge('agent:summariser', 'model:gpt-large')?.data?.relation).toBe('model');
    const delegation = edge('agent:billing-bot', 'agent:summariser')!;
    expect(delegation.data?.relation).toBe('delegate');
    expect(delegation.animated).toBe(true);
    expect(delegation.className).toContain('gedge-delegate');
    expect(edge('agent:billing-bot', 'tool:stripe.refund')?.animated).toBe(false);
    // A delegation cycle is two edges, not a duplicate.
    expect(edge('agent:summariser', 'agent:billing-bot')?.data?.relation).toBe('delegate');
    expect(new Set(g.edges.map((e) => e.id)).size).toBe(g.edges.length);
  });

  it('colours agents by risk tier', () => {
    const g = buildGraph(
      [agent({ id: 'l', risk_tier: 'low' }), agent({ id: 'c', risk_tier: 'critical', tools: [] })],
      resources,
    );
    const low = g.nodes.find((n) => n.id === 'agent:l')!;
    const critical = g.nodes.find((n) => n.id === 'agent:c')!;
    expect(low.className).toContain('tier-low');
    expect(critical.className).toContain('tier-critical');
    expect(nodeColor(low.data)).toBe(TIER_COLORS.low);
    expect(nodeColor(critical.data)).toBe(TIER_COLORS.critical);
    expect(new Set(Object.values(TIER_COLORS)).size).toBe(4);
    // Resources take their kind's colour, never a tier's.
    expect(Object.values(TIER_COLORS)).not.toContain(nodeColor(g.nodes.find((n) => n.id === 'tool:stripe.refund')!.data));
  });

  it('marks references to undefined resources and agents as missing', () => {
    const g = buildGraph([agent({ id: 'a', tools: ['nope.tool'], delegates: ['ghost'] })], resources);
    expect(g.nodes.find((n) => n.id === 'tool:nope.tool')?.data.missing).toBe(true);
    const ghost = g.nodes.find((n) => n.id === 'agent:ghost')!;
    expect(ghost.data.missing).toBe(true);
    expect(ghost.className).toContain('gnode-missing');
  });

  it('shows a delegate outside the filter as a dimmed node with its tier', () => {
    const all = [...agents, agent({ id: 'outsider', risk_tier: 'critical' })];
    const g = buildGraph([agent({ id: 'x', tools: [], delegates: ['outsider'] })], resources, all);
    const outsider = g.nodes.find((n) => n.id === 'agent:outsider')!;
    expect(outsider.data).toMatchObject({ outside: true, missing: false, tier: 'critical' });
    expect(g.shownAgents).toBe(1);
  });

  it('caps the number of agents drawn and says how many were left out', () => {
    const many = Array.from({ length: 50 }, (_, i) => agent({ id: `a${i}`, tools: [] }));
    const g = buildGraph(many, resources, many, 20);
    expect(g.shownAgents).toBe(20);
    expect(g.cappedAgents).toBe(30);
    expect(g.nodes.filter((n) => n.data.kind === 'agent')).toHaveLength(20);
  });
});

it('lays agents out to the left of what they reach, without overlaps', () => {
  const model = buildGraph(
    [agent({ id: 'a', tools: ['stripe.refund'] }), agent({ id: 'b', tools: ['stripe.refund'], models: ['gpt-large'] })],
    resources,
  );
  const nodes = layoutGraph(model);
  const pos = new Map(nodes.map((n) => [n.id, n.position]));
  expect(pos.get('agent:a')!.x).toBeLessThan(pos.get('tool:stripe.refund')!.x);
  const spots = new Set(nodes.map((n) => `${Math.round(n.position.x)},${Math.round(n.position.y)}`));
  expect(spots.size).toBe(nodes.length);
});

describe('initialViewport', () => {
  const at = (x: number, y: number) => ({ position: { x, y } });

  it('centres a graph that fits at a readable zoom', () => {
    const v = initialViewport([at(0, 0), at(300, 100)], 1000, 600);
    expect(v.zoom).toBe(1.1);
    // Bounds 490 × 146 at 1.1: centred in 1000 × 600.
    expect(v.x).toBeCloseTo((1000 - 490 * 1.1) / 2);
    expect(v.y).toBeCloseTo((600 - 146 * 1.1) / 2);
  });

  it('opens a tall graph at its top at a readable zoom instead of shrinking it', () => {
    const tall = Array.from({ length: 200 }, (_, i) => at(0, i * 60));
    const v = initialViewport(tall, 1000, 600);
    expect(v.zoom).toBe(MIN_READABLE_ZOOM);
    expect(v.y).toBe(24);
  });
});
