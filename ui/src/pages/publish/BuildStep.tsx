// Step 1 of the wizard: what to build (version, summary, author key, an accepted coverage
// drop or more permissive change), or a bundle built before to open. Building replays recorded traffic, so it takes
// seconds; the form stays disabled meanwhile, with the core's progress and Cancel. Without a
// key on this machine it offers to make one first.
import { useId, useState, type FormEvent } from 'react';
import type { ApiError } from '../../bindings/ApiError';
import type { KeysView } from '../../bindings/KeysView';
import { toApiError, useBackend } from '../../backend';
import { ErrorBanner } from '../../components/ErrorBanner';
import { CancelledNotice, OperationProgressRow } from '../../components/OperationStatus';
import { isTrusted, keyLabel, trustOf } from '../../lib/publish';
import { GenerateKeyForm } from './GenerateKeyForm';

export interface BuildForm {
  version: string;
  summary: string;
  /** The author's key id. */
  key: string;
  acceptDrop: string;
  acceptPermissive: string;
}

const BUILD_OPS = ['bundle_build'] as const;

export const EMPTY_BUILD_FORM: BuildForm = { version: '', summary: '', key: '', acceptDrop: '', acceptPermissive: '' };

export function BuildStep({
  form,
  onForm,
  keys,
  nextVersion,
  acting,
  building,
  cancelling = false,
  cancelled = false,
  onCancel,
  error,
  onBuild,
  onKeysChanged,
  onOpen,
}: {
  form: BuildForm;
  onForm: (f: BuildForm) => void;
  keys: KeysView | null;
  /** What the core will choose when the version is left empty. */
  nextVersion: string;
  acting: string;
  building: boolean;
  /** Cancel of the build, and whether the last build was cancelled. */
  cancelling?: boolean;
  cancelled?: boolean;
  onCancel?: () => void;
  error: ApiError | null;
  onBuild: () => void;
  onKeysChanged: () => void;
  onOpen: (path: string) => void;
}) {
  const uid = useId();
  const backend = useBackend();
  const [openPath, setOpenPath] = useState('');
  const [pickError, setPickError] = useState<ApiError | null>(null);
  const set = (k: keyof BuildForm, v: string) => onForm({ ...form, [k]: v });
  const noKeys = keys !== null && keys.local.length === 0;
  const authorStatus = keys && form.key ? trustOf(keys, form.key) : null;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!building && form.summary.trim() && form.key) onBuild();
  };

  // A bundle outside the workspace is opened through the system dialog: the app reads only
  // paths inside the workspace or chosen there.
  const browse = async (kind: 'file' | 'folder') => {
    setPickError(null);
    try {
      const picked = kind === 'file' ? await backend.pickFile('Open a bundle file') : await backend.pickFolder('Open a bundle folder');
      if (picked === null) return;
      setOpenPath(picked);
      onOpen(picked);
    } catch (e) {
      setPickError(toApiError(e));
    }
  };

  return (
    <div className="pub-step-body" data-testid="step-build">
      {noKeys ? (
        <div className="notice pub-nokey" data-testid="build-no-key">
          <p>
            <strong>No signing key on this machine.</strong> A bundle is signed by its author; make a key, then have it trusted on
            the Keys tab (the workspace’s first key is trusted on its own).
          </p>
          <GenerateKeyForm defaultOwner={acting} onGenerated={onKeysChanged} />
        </div>
      ) : null}
      <form className="pub-build-form" onSubmit={submit} aria-label="Build a bundle" noValidate data-testid="build-form">
        <div className="pub-build-grid">
          <div className="field">
            <label className="field-label" htmlFor={`${uid}-version`}>
              Version
            </label>
            <input
              id={`${uid}-version`}
              className="input mono"
              value={form.version}
              onChange={(e) => set('version', e.target.value)}
              placeholder={nextVersion}
              disabled={building}
              spellCheck={false}
              data-testid="build-version"
            />
            <p className="field-hint">Empty: {nextVersion}, the next after the published ones</p>
          </div>
          <div className="field">
            <label className="field-label" htmlFor={`${uid}-key`}>
              Author key
            </label>
            <select
              id={`${uid}-key`}
              className="input"
              value={form.key}
              onChange={(e) => set('key', e.target.value)}
              disabled={building || !keys || keys.local.length === 0}
              data-testid="build-key"
            >
              {!form.key && <option value="">{keys ? 'No key on this machine' : 'Reading the keys…'}</option>}
              {keys?.local.map((k) => (
                <option key={k.id} value={k.id}>
                  {keyLabel(k, keys)}
                </option>
              ))}
            </select>
            <p className="field-hint">
              {form.key && !isTrusted(authorStatus)
                ? 'This key is not trusted here yet: the integrity gate fails until it is (Keys tab).'
                : 'The bundle is signed with it as its author.'}
            </p>
          </div>
          <div className="field pub-span-2">
            <label className="field-label" htmlFor={`${uid}-summary`}>
              Change summary
            </label>
            <input
              id={`${uid}-summary`}
              className="input"
              value={form.summary}
              onChange={(e) => set('summary', e.target.value)}
              placeholder="What changed and why, for the approvers and the history"
              disabled={building}
              data-testid="build-summary"
            />
          </div>
          <div className="field pub-span-2">
            <label className="field-label" htmlFor={`${uid}-drop`}>
              Accept a coverage drop <span className="muted">(optional)</span>
            </label>
            <input
              id={`${uid}-drop`}
              className="input"
              value={form.acceptDrop}
              onChange={(e) => set('acceptDrop', e.target.value)}
              placeholder="Why a lower framework coverage than the published bundle’s is acceptable"
              disabled={building}
              data-testid="build-accept-drop"
            />
            <p className="field-hint">Only needed when the coverage gate fails; the reason is recorded in the bundle.</p>
          </div>
          <div className="field pub-span-2">
            <label className="field-label" htmlFor={`${uid}-permissive`}>
              Accept a more permissive change <span className="muted">(optional)</span>
            </label>
            <input
              id={`${uid}-permissive`}
              className="input"
              value={form.acceptPermissive}
              onChange={(e) => set('acceptPermissive', e.target.value)}
              placeholder="Why access the analysis proves wider than the published bundle’s is intended"
              disabled={building}
              data-testid="build-accept-permissive"
            />
            <p className="field-hint">
              Only needed when the permissive gate fails (Simulate → Analysis shows where and a request it newly allows); the
              reason is recorded in the bundle.
            </p>
          </div>
        </div>
        <div className="run-form-actions">
          <button
            type="submit"
            className="btn btn-primary"
            disabled={building || !form.summary.trim() || !form.key}
            aria-busy={building}
            data-testid="build-submit"
          >
            {building ? 'Building…' : 'Build bundle'}
          </button>
          {building && (
            <OperationProgressRow
              label="Building the bundle"
              operations={BUILD_OPS}
              fallback="Validating the policies and replaying recorded traffic against the published bundle…"
              cancelling={cancelling}
              onCancel={() => onCancel?.()}
              testId="build-busy"
            />
          )}
        </div>
      </form>
      {cancelled && !building && (
        <CancelledNotice what="the build" again="Build again" onAgain={onBuild} testId="build-cancelled" />
      )}
      {error && <ErrorBanner error={error} />}

      <details className="pub-open">
        <summary>Open a bundle built before</summary>
        <form
          className="inline-row"
          onSubmit={(e) => {
            e.preventDefault();
            if (openPath.trim()) onOpen(openPath.trim());
          }}
          aria-label="Open a bundle"
        >
          <input
            className="input mono"
            value={openPath}
            onChange={(e) => setOpenPath(e.target.value)}
            placeholder={`.mandate/drafts/${nextVersion}`}
            aria-label="Bundle path"
            spellCheck={false}
            data-testid="open-path"
          />
          <button type="submit" className="btn" disabled={!openPath.trim()} data-testid="open-submit">
            Open
          </button>
          <button type="button" className="btn" onClick={() => void browse('file')} data-testid="open-browse-file">
            File…
          </button>
          <button type="button" className="btn" onClick={() => void browse('folder')} data-testid="open-browse-folder">
            Folder…
          </button>
        </form>
        <p className="field-hint">
          A draft folder or a .mandate-bundle file inside the workspace (relative or absolute) — e.g. to approve it; one elsewhere, with File… or Folder….
        </p>
        {pickError && <ErrorBanner error={pickError} onDismiss={() => setPickError(null)} />}
      </details>
    </div>
  );
}
