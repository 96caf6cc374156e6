// The Publish page: signed, reviewed, versioned policy bundles. A wizard builds one from the
// working copy and takes it through its evidence, the publish gates, approvals, signing and
// publishing; History lists what is published, each verified; Compare diffs two published
// bundles (policy text, and decisions by replaying recorded traffic); Keys shows the signing
// keys of this machine and of the workspace. The tab is in the address (`#/publish/history`).
// Keys and the published list are read here, shared by the tabs, and read again when
// mandate.toml (where trusted keys are listed) changes on disk.
import { useCallback, useEffect, useState } from 'react';
import type { ApiError } from '../bindings/ApiError';
import type { BundleEntry } from '../bindings/BundleEntry';
import type { KeysView } from '../bindings/KeysView';
import type { WorkspaceInfo } from '../bindings/WorkspaceInfo';
import { toApiError, useBackend } from '../backend';
import { PageHeader } from '../components/PageHeader';
import { Tabs } from '../components/Tabs';
import { hrefFor, parseView } from '../lib/route';
import { watchWorkspace } from '../lib/watchWorkspace';
import { DiffPanel } from './publish/DiffPanel';
import { HistoryPanel } from './publish/HistoryPanel';
import { KeysPanel } from './publish/KeysPanel';
import { Wizard } from './publish/Wizard';

export const PUBLISH_TABS = ['build', 'history', 'diff', 'keys'] as const;
export type PublishTab = (typeof PUBLISH_TABS)[number];
const TAB_LABELS: Record<PublishTab, string> = { build: 'New bundle', history: 'History', diff: 'Compare', keys: 'Keys' };

function tabFromHash(): PublishTab {
  const view = parseView(window.location.hash);
  return (PUBLISH_TABS as readonly string[]).includes(view) ? (view as PublishTab) : 'build';
}

export function PublishPage({ workspace }: { workspace: WorkspaceInfo }) {
  const backend = useBackend();
  const [tab, setTab] = useState<PublishTab>(tabFromHash);
  const [keys, setKeys] = useState<KeysView | null>(null);
  const [keysError, setKeysError] = useState<ApiError | null>(null);
  const [bundles, setBundles] = useState<BundleEntry[] | null>(null);
  const [bundlesError, setBundlesError] = useState<ApiError | null>(null);
  const [acting, setActing] = useState('');

  const loadKeys = useCallback(
    (live: () => boolean = () => true) =>
      backend.keysView().then(
        (k) => {
          if (!live()) return;
          setKeys(k);
          setKeysError(null);
        },
        (e: unknown) => {
          if (live()) setKeysError(toApiError(e));
        },
      ),
    [backend],
  );

  const loadBundles = useCallback(
    (live: () => boolean = () => true) =>
      backend.bundles().then(
        (list) => {
          if (!live()) return;
          setBundles(list);
          setBundlesError(null);
        },
        (e: unknown) => {
          if (live()) setBundlesError(toApiError(e));
        },
      ),
    [backend],
  );

  useEffect(() => {
    let active = true;
    const live = () => active;
    void loadKeys(live);
    void loadBundles(live);
    backend.actingIdentity().then(
      (who) => {
        if (active) setActing(who);
      },
      () => undefined,
    );
    return () => {
      active = false;
    };
  }, [backend, loadKeys, loadBundles]);

  // Trusted keys are listed in mandate.toml; a pull can also bring published bundles.
  useEffect(
    () =>
      watchWorkspace(backend, (changes, live) => {
        if (!changes.some((c) => c.kind === 'config_changed')) return;
        void loadKeys(live);
        void loadBundles(live);
      }),
    [backend, loadKeys, loadBundles],
  );

  // A link to #/publish/history while the page is open switches the tab.
  useEffect(() => {
    const onHash = () => setTab(tabFromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const selectTab = (t: PublishTab) => {
    setTab(t);
    // Remember the tab in the address without a hashchange (and without a history entry).
    window.history.replaceState(null, '', hrefFor('publish', t === 'build' ? undefined : t));
  };

  const onPublished = useCallback(() => void loadBundles(), [loadBundles]);
  const onKeysChanged = useCallback(() => void loadKeys(), [loadKeys]);

  return (
    <section className="page page-publish" data-testid="page-publish" aria-labelledby="page-title-publish">
      <PageHeader
        page="publish"
        lead="Signed, reviewed, versioned policy bundles for your enforcement points: built from the working copy with their evidence, approved by a second person, published only when every gate passes."
      />

      <div className="tabs-row">
        <Tabs
          tabs={PUBLISH_TABS}
          labels={TAB_LABELS}
          selected={tab}
          onSelect={selectTab}
          label="Publish views"
          idPrefix="publish"
          extra={{ history: bundles && bundles.length > 0 && <span className="pub-tab-count">{bundles.length}</span> }}
        />
      </div>

      {/* Every panel stays mounted (hidden when not selected): a bundle half-way through the
          wizard survives a look at the history. */}
      <div role="tabpanel" id="publish-panel-build" aria-labelledby="publish-tab-build" hidden={tab !== 'build'}>
        <Wizard
          root={workspace.root}
          keys={keys}
          published={bundles ?? []}
          acting={acting}
          onKeysChanged={onKeysChanged}
          onPublished={onPublished}
        />
        {keysError && tab === 'build' && (
          <p className="notice" data-testid="wizard-keys-error">
            The signing keys could not be read ({keysError.message}); the Keys tab says more.
          </p>
        )}
      </div>
      <div role="tabpanel" id="publish-panel-history" aria-labelledby="publish-tab-history" hidden={tab !== 'history'}>
        <HistoryPanel bundles={bundles} error={bundlesError} />
      </div>
      <div role="tabpanel" id="publish-panel-diff" aria-labelledby="publish-tab-diff" hidden={tab !== 'diff'}>
        <DiffPanel bundles={bundles ?? []} />
      </div>
      <div role="tabpanel" id="publish-panel-keys" aria-labelledby="publish-tab-keys" hidden={tab !== 'keys'}>
        <KeysPanel keys={keys} error={keysError} acting={acting} onChanged={onKeysChanged} />
      </div>
    </section>
  );
}
