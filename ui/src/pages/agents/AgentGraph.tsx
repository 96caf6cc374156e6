// The Graph view: agents (coloured by risk tier) and the tools, datasets, models and agents
// they reach, laid out left to right. Loaded on demand, so React Flow and dagre are only
// fetched when the tab is opened. Its stylesheet is imported in main.tsx, so it ends up in
// the built CSS file (the CSP allows no injected <style>).
import {
  Background,
  Controls,
  Handle,
  MiniMap,
  Panel,
  Position,
  ReactFlow,
  type NodeMouseHandler,
  type NodeProps,
} from '@xyflow/react';
import { createContext, memo, useContext, useMemo } from 'react';
import type { Agent } from '../../bindings/Agent';
import type { Resources } from '../../bindings/Resources';
import { TIERS } from '../../lib/agents';
import {
  buildGraph,
  DEFAULT_GRAPH_CAP,
  KIND_LABELS,
  layoutGraph,
  nodeColor,
  type EntityNode,
} from '../../lib/graph';
import { plural } from '../../lib/summary';

const OpenAgent = createContext<(id: string) => void>(() => undefined);

const EntityNodeView = memo(function EntityNodeView({ data, selected }: NodeProps<EntityNode>) {
  const open = useContext(OpenAgent);
  const clickable = data.kind === 'agent' && !data.missing;
  const content = (
    <>
      <span className="gnode-kind">{data.missing ? `${KIND_LABELS[data.kind]} · missing` : KIND_LABELS[data.kind]}</span>
      <span className="gnode-label">{data.label}</span>
      {data.detail && <span className="gnode-detail">{data.detail}</span>}
    </>
  );
  return (
    <>
      <Handle type="target" position={Position.Left} isConnectable={false} />
      {clickable ? (
        <button
          type="button"
          className={selected ? 'gnode-body gnode-button selected' : 'gnode-body gnode-button'}
          onClick={() => open(data.entityId)}
          aria-label={`Open agent ${data.entityId}${data.tier ? `, ${data.tier} risk` : ''}`}
          data-testid="graph-agent"
          data-id={data.entityId}
        >
          {content}
        </button>
      ) : (
        <div className="gnode-body" title={data.missing ? 'Referenced but not defined in the inventory' : undefined}>
          {content}
        </div>
      )}
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </>
  );
});

const NODE_TYPES = { entity: EntityNodeView };

export function AgentGraph({
  agents,
  allAgents,
  resources,
  onOpen,
  cap = DEFAULT_GRAPH_CAP,
}: {
  agents: readonly Agent[];
  allAgents: readonly Agent[];
  resources: Resources;
  onOpen: (id: string) => void;
  cap?: number;
}) {
  const model = useMemo(() => buildGraph(agents, resources, allAgents, cap), [agents, resources, allAgents, cap]);
  const nodes = useMemo(() => layoutGraph(model), [model]);
  const delegations = model.edges.filter((e) => e.data?.relation === 'delegate').length;

  // Mouse clicks anywhere on an agent node open it (the button inside covers keyboard use).
  const onNodeClick: NodeMouseHandler<EntityNode> = (event, node) => {
    if ((event.target as HTMLElement).closest('.gnode-button')) return;
    if (node.data.kind === 'agent' && !node.data.missing) onOpen(node.data.entityId);
  };

  return (
    <div className="graph" data-testid="agents-graph">
      {model.cappedAgents > 0 && (
        <p className="graph-notice" role="status" data-testid="graph-capped">
          Showing the first {model.shownAgents} of {model.shownAgents + model.cappedAgents} agents to keep the graph
          responsive. Narrow the filters to see the others.
        </p>
      )}
      <div className="graph-canvas">
        <OpenAgent.Provider value={onOpen}>
          <ReactFlow<EntityNode>
            nodes={nodes}
            edges={model.edges}
            nodeTypes={NODE_TYPES}
            onNodeClick={onNodeClick}
            nodesConnectable={false}
            nodesFocusable={false}
            edgesFocusable={false}
            onlyRenderVisibleElements
            fitView
            fitViewOptions={{ padding: 0.15, maxZoom: 1.2 }}
            minZoom={0.05}
            maxZoom={2}
            colorMode="system"
            proOptions={{ hideAttribution: false }}
          >
            <Background gap={24} size={1} />
            <Controls showInteractive={false} />
            <MiniMap pannable zoomable nodeColor={(n: EntityNode) => nodeColor(n.data)} />
            <Panel position="top-left" className="graph-legend" data-testid="graph-legend">
              <p className="legend-title">Agents by risk tier</p>
              <ul>
                {TIERS.map((t) => (
                  <li key={t}>
                    <span className={`swatch swatch-agent tier-${t}`} aria-hidden="true" />
                    {t}
                  </li>
                ))}
              </ul>
              <p className="legend-title">Reaches</p>
              <ul>
                {(['tool', 'dataset', 'model'] as const).map((k) => (
                  <li key={k}>
                    <span className={`swatch swatch-${k}`} aria-hidden="true" />
                    {KIND_LABELS[k]}
                  </li>
                ))}
                <li>
                  <span className="swatch-line swatch-line-delegate" aria-hidden="true" />
                  delegates to
                </li>
              </ul>
              <p className="legend-counts muted">
                {plural(model.shownAgents, 'agent')} · {plural(nodes.length - model.shownAgents, 'other node')} ·{' '}
                {plural(delegations, 'delegation')}
              </p>
            </Panel>
          </ReactFlow>
        </OpenAgent.Provider>
      </div>
    </div>
  );
}

export default AgentGraph;
