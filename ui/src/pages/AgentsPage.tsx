// The Agents page: the inventory as a table, a graph or a list of accountability gaps, and
// a side panel to inspect, edit, create and move agents through their lifecycle.
//
// The inventory is read from the core and kept live (see `useInventory`): files edited
// outside the app show up here, and every save or transition refetches it.
import { lazy, Suspense, useCallback, useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import type { Agent } from '../bindings/Agent';
import type { Finding } from '../bindings/Finding';
import { useBackend } from '../backend';
import { ErrorBanner } from '../components/ErrorBanner';
import { PageHeader } from '../components/PageHeader';
import { Tabs } from '../components/Tabs';
import {
  buildRows,
  EMPTY_FILTER,
  filterRows,
  isFiltering,
  LIFECYCLE_LABELS,
  LIFECYCLES,
  nextSort,
  sortRows,
  teamOptions,
  TIERS,
  type AgentFilter,
  type SortKey,
  type SortState,
} from '../lib/agents';
import { hrefFor, parseView } from '../lib/route';
import { plural } from '../lib/summary';
import { useInventory } from '../lib/useInventory';
import { AgentDetail, type DetailMode, type DetailTab, type FocusRequest } from './agents/AgentDetail';
import { AgentTable } from './agents/AgentTable';
import { GapsPanel } from './agents/GapsPanel';

const AgentGraph = lazy(() => import('./agents/AgentGraph'));

export const AGENT_TABS = ['table', 'graph', 'gaps'] as const;
export type AgentsTab = (typeof AGENT_TABS)[number];
const TAB_LABELS: Record<AgentsTab, string> = { table: 'Table', graph: 'Graph', gaps: 'Gaps' };

function tabFromHash(): AgentsTab {
  const view = parseView(window.location.hash);
  return (AGENT_TABS as readonly string[]).includes(view) ? (view as AgentsTab) : 'table';
}

export function AgentsPage() {
  const backend = useBackend();
  const inv = useInventory();
  const view = inv.view;
  const [acting, setActing] = useState<string | null>(null);
  const [tab, setTab] = useState<AgentsTab>(tabFromHash);
  const [filter, setFilter] = useState<AgentFilter>(EMPTY_FILTER);
  const [sort, setSort] = useState<SortState>({ key: 'id', dir: 'asc' });
  const [mode, setMode] = useState<DetailMode | null>(null);
  const [focus, setFocus] = useState<FocusRequest | null>(null);
  // Kept from one agent to the next, so a reviewer can go through agents on the Access tab.
  const [detailTab, setDetailTab] = useState<DetailTab>('details');
  const opener = useRef<HTMLElement | null>(null);
  const focusSeq = useRef(0);

  useEffect(() => {
    let active = true;
    backend.actingIdentity().then(
      (who) => {
        if (active) setActing(who);
      },
      () => undefined,
    );
    return () => {
      active = false;
    };
  }, [backend]);

  // A link to #/agents/gaps while the page is open switches the tab.
  useEffect(() => {
    const onHash = () => setTab(tabFromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const selectTab = (t: AgentsTab) => {
    setTab(t);
    // Remember the tab in the address without a hashchange (and without a history entry).
    window.history.replaceState(null, '', hrefFor('agents', t === 'table' ? undefined : t));
  };

  const rows = useMemo(() => (view ? buildRows(view) : []), [view]);
  // Typing in the filter stays responsive with 10,000 agents: filtering may lag a frame.
  const deferredFilter = useDeferredValue(filter);
  const visible = useMemo(() => sortRows(filterRows(rows, deferredFilter), sort), [rows, deferredFilter, sort]);
  const visibleAgents = useMemo(() => visible.map((r) => r.agent), [visible]);
  const allAgents = view?.agents;
  const teams = useMemo(() => (view ? teamOptions(view) : []), [view]);
  const findingCount = view ? view.findings.filter((f) => f.severity !== 'info').length : 0;

  const open = useCallback((next: DetailMode, field?: string) => {
    if (!opener.current || !opener.current.isConnected) {
      opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    }
    setMode(next);
    setFocus(field ? { field, seq: ++focusSeq.current } : null);
    // A field to fix is on the Details tab.
    if (field) setDetailTab('details');
  }, []);

  const openAgent = useCallback((id: string) => open({ kind: 'edit', id }), [open]);

  const close = useCallback(() => {
    setMode(null);
    setFocus(null);
    const back = opener.current;
    opener.current = null;
    if (back?.isConnected) back.focus();
  }, []);

  const openFinding = useCallback(
    (f: Finding, agentId: string) => open({ kind: 'edit', id: agentId }, f.field ?? undefined),
    [open],
  );

  const refetch = inv.refetch;
  const onSaved = useCallback(
    async (agent: Agent, created: boolean) => {
      await refetch();
      if (created) {
        setDetailTab('details');
        setMode({ kind: 'edit', id: agent.id });
      }
    },
    [refetch],
  );

  const setF = <K extends keyof AgentFilter>(key: K, value: AgentFilter[K]) => setFilter((f) => ({ ...f, [key]: value }));

  const selectedId = mode?.kind === 'edit' ? mode.id : null;
  const detailKey = mode ? (mode.kind === 'edit' ? `edit:${mode.id}` : 'create') : '';

  return (
    <section className={mode ? "page page-fill has-drawer" : "page page-fill"} data-testid="page-agents" aria-labelledby="page-title-agents">
      <PageHeader
        page="agents"
        lead={
          view ? (
            <>
              {plural(view.agents.length, 'agent')} ·{' '}
              <span className={findingCount > 0 ? 'text-warning' : undefined}>
                {plural(findingCount, 'accountability gap')}
              </span>
              {acting && (
                <>
                  {' '}
                  · acting as <strong data-testid="page-acting">{acting}</strong>
                </>
              )}
            </>
          ) : (
            'Every AI agent, who answers for it, what it may reach and where it is in its lifecycle.'
          )
        }
      >
        {inv.updatedAt && (
          <span key={inv.updateCount} className="updated-indicator" role="status" data-testid="agents-updated">
            Updated {inv.updatedAt.toLocaleTimeString()}
          </span>
        )}
        <button
          type="button"
          className="btn btn-primary"
          onClick={() => open({ kind: 'create' })}
          disabled={!view}
          data-testid="agents-add"
        >
          + Add agent
        </button>
      </PageHeader>

      {inv.error && <ErrorBanner error={inv.error} />}
      {inv.watchError && <ErrorBanner error={inv.watchError} />}
      {inv.loading && !view && (
        <p className="muted" aria-busy="true">
          Loading the inventory…
        </p>
      )}

      {view && (
        <>
          {view.diagnostics.length > 0 && tab !== 'gaps' && (
            <div className="banner banner-warning" role="status" data-testid="agents-load-problems">
              <div className="banner-body">
                <p className="banner-title">
                  {plural(new Set(view.diagnostics.map((d) => d.file)).size, 'inventory file')} did not load cleanly
                </p>
                <p className="banner-help">Some records may be missing from this list.</p>
              </div>
              <button type="button" className="btn" onClick={() => selectTab('gaps')}>
                Show the problems
              </button>
            </div>
          )}

          <div className="tabs-row">
            <Tabs
              tabs={AGENT_TABS}
              labels={TAB_LABELS}
              selected={tab}
              onSelect={selectTab}
              label="Agents views"
              idPrefix="agents"
              extra={{ gaps: findingCount > 0 && <span className="tab-count">{findingCount}</span> }}
            />
            {tab !== 'gaps' && (
              <p className="agents-count muted" data-testid="agents-count" aria-live="polite">
                {visible.length} of {plural(rows.length, 'agent')}
              </p>
            )}
          </div>

          {tab !== 'gaps' && (
            <div className="filters" role="search" aria-label="Filter agents">
              <label className="filter filter-text">
                <span className="visually-hidden">Search</span>
                <input
                  type="search"
                  className="input"
                  placeholder="Search id, name or purpose"
                  value={filter.text}
                  onChange={(e) => setF('text', e.target.value)}
                  data-testid="agents-filter-text"
                />
              </label>
              <label className="filter">
                <span className="filter-label">Tier</span>
                <select
                  className="input"
                  value={filter.tier}
                  onChange={(e) => setF('tier', e.target.value as AgentFilter['tier'])}
                  data-testid="agents-filter-tier"
                >
                  <option value="">All</option>
                  {TIERS.map((t) => (
                    <option key={t} value={t}>
                      {t}
                    </option>
                  ))}
                </select>
              </label>
              <label className="filter">
                <span className="filter-label">Lifecycle</span>
                <select
                  className="input"
                  value={filter.lifecycle}
                  onChange={(e) => setF('lifecycle', e.target.value as AgentFilter['lifecycle'])}
                  data-testid="agents-filter-lifecycle"
                >
                  <option value="">All</option>
                  {LIFECYCLES.map((l) => (
                    <option key={l} value={l}>
                      {LIFECYCLE_LABELS[l]}
                    </option>
                  ))}
                </select>
              </label>
              <label className="filter">
                <span className="filter-label">Team</span>
                <select
                  className="input"
                  value={filter.team}
                  onChange={(e) => setF('team', e.target.value)}
                  data-testid="agents-filter-team"
                >
                  <option value="">All</option>
                  {teams.map((t) => (
                    <option key={t.id} value={t.id}>
                      {t.name}
                    </option>
                  ))}
                </select>
              </label>
              <label className="filter filter-check">
                <input
                  type="checkbox"
                  checked={filter.gapsOnly}
                  onChange={(e) => setF('gapsOnly', e.target.checked)}
                  data-testid="agents-filter-gaps"
                />
                Has gaps
              </label>
              {isFiltering(filter) && (
                <button type="button" className="btn btn-small" onClick={() => setFilter(EMPTY_FILTER)} data-testid="agents-filter-clear">
                  Clear filters
                </button>
              )}
            </div>
          )}

          <div
            className={`tab-panel tab-panel-${tab}`}
            role="tabpanel"
            id={`agents-panel-${tab}`}
            aria-labelledby={`agents-tab-${tab}`}
          >
            {tab === 'table' && (
              <AgentTable
                rows={visible}
                total={rows.length}
                sort={sort}
                onSort={(key: SortKey) => setSort((s) => nextSort(s, key))}
                onOpen={openAgent}
                selectedId={selectedId}
              />
            )}
            {tab === 'graph' && allAgents && (
              <Suspense fallback={<p className="muted">Loading the graph…</p>}>
                <AgentGraph agents={visibleAgents} allAgents={allAgents} resources={view.resources} onOpen={openAgent} />
              </Suspense>
            )}
            {tab === 'gaps' && <GapsPanel view={view} onOpenFinding={openFinding} />}
          </div>

          {mode && (
            <AgentDetail
              key={detailKey}
              view={view}
              mode={mode}
              focus={focus}
              acting={acting}
              onClose={close}
              onSaved={onSaved}
              onTransitioned={refetch}
              onStale={refetch}
              tab={detailTab}
              onTab={setDetailTab}
            />
          )}
        </>
      )}
    </section>
  );
}
