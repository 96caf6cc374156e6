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
  useNodesState,
  useReactFlow,
  useStore,
  type NodeMouseHandler,
  type NodeProps,
} from '@xyflow/react';
import { createContext, memo, useContext, useEffect, useMemo, useRef, useState } from 'react';
import type { Agent } from '../../bindings/Agent';
import type { Resources } from '../../bindings/Resources';
import { TIERS } from '../../lib/agents';
import { useShownTheme } from '../../lib/theme';
import {
  buildGraph,
  DEFAULT_GRAPH_CAP,
  KIND_LABELS,
  initialViewport,
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
          data-testid="graph-agent"
          data-id={data.entityId}
        >
          {/* The name is the visible text (speech input says what it sees); the tier, shown
              only by colour, is added for screen readers. */}
          {content}
          {data.tier && <span className="visually-hidden">, {data.tier} risk</span>}
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

/** Sets a readable viewport whenever a new layout arrives (not on every resize). */
function FitOnLayout({ nodes }: { nodes: EntityNode[] }) {
  const rf = useReactFlow<EntityNode>();
  const width = useStore((s) => s.width);
  const height = useStore((s) => s.height);
  const fitted = useRef<EntityNode[] | null>(null);
  useEffect(() => {
    if (fitted.current === nodes || width === 0 || height === 0) return;
    fitted.current = nodes;
    void rf.setViewport(initialViewport(nodes, width, height));
  }, [rf, nodes, width, height]);
  return null;
}

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
  // The app's theme (Settings), not the OS's: an explicit choice wins.
  const theme = useShownTheme();
  const model = useMemo(() => buildGraph(agents, resources, allAgents, cap), [agents, resources, allAgents, cap]);
  const laidOut = useMemo(() => layoutGraph(model), [model]);
  // Node state so nodes can be dragged; a new layout (other filters) replaces it.
  const [nodes, setNodes, onNodesChange] = useNodesState<EntityNode>(laidOut);
  const [shownLayout, setShownLayout] = useState(laidOut);
  if (shownLayout !== laidOut) {
    setShownLayout(laidOut);
    setNodes(laidOut);
  }
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
            onNodesChange={onNodesChange}
            edges={model.edges}
            nodeTypes={NODE_TYPES}
            onNodeClick={onNodeClick}
            nodesConnectable={false}
            nodesFocusable={false}
            edgesFocusable={false}
            minZoom={0.05}
            maxZoom={2}
            colorMode={theme}
            proOptions={{ hideAttribution: false }}
          >
            <FitOnLayout nodes={laidOut} />
            <Background gap={24} size={1} />
            <Controls showInteractive={false} />
            <MiniMap pannable zoomable nodeColor={(n: EntityNode) => nodeColor(n.data)} />
            <Panel position="top-right" className="graph-legend" data-testid="graph-legend">
              <p className="legend-title">Agents by risk tier</p>
              <ul>
                {TIERS.map((t) => (
                  <li key={t} className="legend-tier">
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
