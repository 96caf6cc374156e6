// The policy editor (lazy-loaded chunk): CodeMirror over one policy file, with live
// diagnostics from the core, schema completion, format, save and changes on disk. The side
// panel lists the file's policies with the control each one enforces (title and statement).
//
// A save names the revision the buffer is based on; when the file changed on disk since
// (noticed by the watcher, or the core refusing the save with `edit_conflict`), the conflict
// banner holds their version and nothing is written until the user reloads or overwrites.
import { EditorState, Transaction } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import type { ApiError } from '../../bindings/ApiError';
import type { ControlStatus } from '../../bindings/ControlStatus';
import type { PolicySummary } from '../../bindings/PolicySummary';
import type { SchemaOutline } from '../../bindings/SchemaOutline';
import { toApiError, useBackend } from '../../backend';
import { watchWorkspace } from '../../lib/watchWorkspace';
import { toEditorDiagnostics, type EditorDiagnostic } from '../../lib/cedar/ranges';
import { keepDraft, takeDraft } from '../../lib/drafts';
import { editorReducer, INITIAL_EDITOR_STATE, isDirty } from '../../lib/editorState';
import { changeCounts, lineDiff, withContext } from '../../lib/lineDiff';
import { ConflictBanner } from '../ConflictBanner';
import { ErrorBanner } from '../ErrorBanner';
import { SeverityBadge } from '../SeverityBadge';
import { editorExtensions, mirrorInjectedStyles, toLintDiagnostics } from './setup';

export interface PolicyEditorProps {
  path: string;
  policies: PolicySummary[];
  /** Called after a successful save (the page revalidates the workspace). */
  onSaved: () => void;
  /** Put the cursor on this line once loaded, and again whenever `seq` changes. */
  jump?: { line: number; seq: number } | null;
  /** Told whenever the buffer becomes dirty or clean. */
  onDirtyChange?: (dirty: boolean) => void;
}

export default function PolicyEditor({ path, policies, onSaved, jump, onDirtyChange }: PolicyEditorProps) {
  const backend = useBackend();
  const [state, dispatch] = useReducer(editorReducer, INITIAL_EDITOR_STATE);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [actionError, setActionError] = useState<ApiError | null>(null);
  const [problems, setProblems] = useState<EditorDiagnostic[]>([]);
  const [busy, setBusy] = useState<'saving' | 'formatting' | null>(null);
  const [controls, setControls] = useState<Map<string, ControlStatus> | null>(null);
  const hostRef = useRef<HTMLDivElement>(null);
  const viewRef = useRef<EditorView | null>(null);
  const outlineRef = useRef<SchemaOutline | null>(null);
  const appliedGeneration = useRef(0);
  const actions = useRef({ save: () => undefined as void, format: () => undefined as void });
  // The state as of the last render, for callbacks that must not go stale (save, unmount).
  const latest = useRef(state);
  useEffect(() => {
    latest.current = state;
  });

  // Load the file, with the unsaved edits kept when it was last closed (see lib/drafts).
  useEffect(() => {
    let active = true;
    backend.readPolicyFile(path).then(
      (file) => {
        if (!active) return;
        const draft = takeDraft(path);
        dispatch(draft ? { type: 'restored', file, draft } : { type: 'loaded', file });
      },
      (e: unknown) => {
        if (active) setLoadError(toApiError(e));
      },
    );
    backend.schemaOutline().then(
      (o) => {
        if (active) outlineRef.current = o;
      },
      // Without a schema outline completion offers keywords only.
      () => undefined,
    );
    return () => {
      active = false;
    };
  }, [backend, path]);

  // The controls (workspace and library) the side panel names, again when controls.toml changes.
  useEffect(() => {
    const load = (live: () => boolean) =>
      backend.controls().then(
        (v) => {
          if (live()) setControls(new Map(v.controls.map((c) => [c.id, c])));
        },
        // Without the controls the panel shows the bare @control ids.
        () => undefined,
      );
    let active = true;
    void load(() => active);
    const stop = watchWorkspace(backend, (changes, live) => {
      if (changes.some((c) => c.kind === 'controls_changed' || c.kind === 'config_changed')) void load(live);
    });
    return () => {
      active = false;
      stop();
    };
  }, [backend]);

  // Create the view once.
  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    mirrorInjectedStyles();
    const view = new EditorView({
      parent: host,
      state: EditorState.create({
        doc: '',
        extensions: editorExtensions({
          doc: '',
          getOutline: () => outlineRef.current,
          onChange: (text) => dispatch({ type: 'edited', text }),
          onSave: () => actions.current.save(),
          onFormat: () => actions.current.format(),
          lint: async (v) => {
            const text = v.state.doc.toString();
            try {
              const placed = toEditorDiagnostics(text, await backend.validatePolicyBuffer(path, text));
              if (v.state.doc.toString() === text) setProblems(placed);
              return toLintDiagnostics(placed);
            } catch {
              return [];
            }
          },
        }),
      }),
    });
    viewRef.current = view;
    return () => {
      view.destroy();
      viewRef.current = null;
    };
  }, [backend, path]);

  // Put text that came from disk (load, reload) into the view.
  useEffect(() => {
    const view = viewRef.current;
    if (!view || state.generation === appliedGeneration.current) return;
    appliedGeneration.current = state.generation;
    if (view.state.doc.toString() === state.buffer) return;
    view.dispatch({
      changes: { from: 0, to: view.state.doc.length, insert: state.buffer },
      annotations: Transaction.addToHistory.of(false),
    });
  }, [state.generation, state.buffer]);

  // Changes on disk to this file: reload when clean, show the conflict early when dirty.
  useEffect(() => {
    // A failed subscription is reported by the page.
    return watchWorkspace(backend, (changes, live) => {
      if (!changes.some((c) => c.path === path && (c.kind === 'policy_changed' || c.kind === 'policy_added'))) return;
      backend.readPolicyFile(path).then(
        (file) => {
          if (live()) dispatch({ type: 'disk_changed', file });
        },
        () => undefined,
      );
    });
  }, [backend, path]);

  /**
   * Saves the buffer over the revision it is based on, or, with `overwrite`, over their
   * version the conflict banner holds (the user chose to replace it). A refused save reads
   * their version and shows the banner; nothing else is written.
   */
  const save = useCallback(
    async (overwrite = false) => {
      const view = viewRef.current;
      if (!view) return;
      const s = latest.current;
      const expected = overwrite && s.external ? s.external.revision : s.diskRevision;
      const text = view.state.doc.toString();
      setBusy('saving');
      setActionError(null);
      try {
        const revision = await backend.savePolicyFile(path, text, expected);
        dispatch({ type: 'saved', text, revision });
        onSaved();
      } catch (e) {
        const error = toApiError(e);
        if (error.code !== 'edit_conflict') {
          setActionError(error);
        } else {
          try {
            dispatch({ type: 'save_refused', file: await backend.readPolicyFile(path) });
          } catch {
            // Their version cannot be read (removed meanwhile?): say why the save failed.
            setActionError(error);
          }
        }
      } finally {
        setBusy(null);
      }
    },
    [backend, path, onSaved],
  );

  const format = useCallback(async () => {
    const view = viewRef.current;
    if (!view) return;
    const text = view.state.doc.toString();
    setBusy('formatting');
    setActionError(null);
    try {
      const formatted = await backend.formatPolicyText(text);
      // Only if nobody typed meanwhile; the buffer stays dirty until saved.
      if (formatted !== text && view.state.doc.toString() === text) {
        view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: formatted } });
      }
    } catch (e) {
      setActionError(toApiError(e));
    } finally {
      setBusy(null);
    }
  }, [backend]);

  useEffect(() => {
    actions.current = { save: () => void save(), format: () => void format() };
  }, [save, format]);

  const goTo = useCallback((pos: number, top = false) => {
    const view = viewRef.current;
    if (!view) return;
    const at = Math.min(pos, view.state.doc.length);
    view.dispatch({
      selection: { anchor: at },
      effects: EditorView.scrollIntoView(at, { y: top ? 'start' : 'nearest' }),
    });
    view.focus();
  }, []);

  const goToLine = useCallback(
    (line: number) => {
      const view = viewRef.current;
      if (!view) return;
      goTo(view.state.doc.line(Math.min(Math.max(1, line), view.state.doc.lines)).from, true);
    },
    [goTo],
  );

  const dirty = isDirty(state);
  const loaded = state.disk !== null;

  // Closing the editor (another file, another page) keeps a dirty buffer as a draft.
  useEffect(
    () => () => {
      const s = latest.current;
      if (s.disk !== null && s.diskRevision !== null && isDirty(s)) keepDraft(path, s.disk, s.diskRevision, s.buffer);
    },
    [path],
  );

  useEffect(() => {
    onDirtyChange?.(dirty);
  }, [dirty, onDirtyChange]);

  useEffect(() => {
    if (loaded && jump) goToLine(jump.line);
  }, [loaded, jump, goToLine]);

  return (
    <section className="panel policy-editor" data-testid="policy-editor" data-path={path} aria-label={`Editor for ${path}`}>
      <div className="editor-toolbar">
        <code className="editor-path">{path}</code>
        {dirty && (
          <span className="editor-dirty" data-testid="editor-dirty" title="The buffer differs from the file on disk">
            Unsaved changes
          </span>
        )}
        <span className="editor-toolbar-spacer" />
        <button
          type="button"
          className="btn"
          onClick={() => void format()}
          disabled={!loaded || busy !== null}
          data-testid="editor-format"
          title="Format (Shift-Alt-F)"
        >
          Format
        </button>
        <button
          type="button"
          className="btn btn-primary"
          onClick={() => void save()}
          disabled={!loaded || busy !== null || !dirty}
          data-testid="editor-save"
          title="Save (Ctrl-S)"
        >
          {busy === 'saving' ? 'Saving…' : 'Save'}
        </button>
      </div>

      {loadError && <ErrorBanner error={loadError} />}
      {actionError && <ErrorBanner error={actionError} onDismiss={() => setActionError(null)} />}
      {state.external !== null && (
        <ConflictBanner
          file={path}
          refused={state.external.refused}
          busy={busy !== null}
          onReload={() => dispatch({ type: 'reload' })}
          onOverwrite={() => void save(true)}
          theirs={<TheirChange base={state.disk ?? ''} theirs={state.external.text} />}
          testId="editor"
        />
      )}

      <div className="editor-body">
        <div className="editor-main">
          <div className="editor-host" ref={hostRef} aria-busy={!loaded} />
          <div className="editor-problems" aria-label="Problems in the buffer">
            {problems.length === 0 ? (
              loaded && <p className="muted small">No problems in the buffer.</p>
            ) : (
              <ul className="editor-problem-list">
                {problems.map((p, i) => (
                  <li key={`${p.from}-${p.to}-${i}`}>
                    <button
                      type="button"
                      className={`editor-problem diagnostic-${p.severity}`}
                      data-testid="editor-problem"
                      data-line={p.line}
                      data-severity={p.severity}
                      onClick={() => goTo(p.from)}
                    >
                      <SeverityBadge severity={p.severity} />
                      <span className="editor-problem-line">{p.line}</span>
                      <span className="editor-problem-message">{p.message}</span>
                      {p.help && <span className="editor-problem-help">{p.help}</span>}
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </div>
        </div>
        <nav className="editor-outline" aria-label="Policies in this file">
          <h2 className="group-title">Policies</h2>
          {policies.length === 0 ? (
            <p className="muted small">No policies in this file.</p>
          ) : (
            <ul>
              {policies.map((p) => (
                <li key={`${p.id}-${p.line}`}>
                  <button
                    type="button"
                    className="editor-outline-item"
                    data-testid="editor-policy"
                    data-policy-id={p.id}
                    data-line={p.line}
                    onClick={() => goToLine(p.line)}
                    title={p.rationale ?? undefined}
                  >
                    <span className={`kind kind-${p.kind}`}>{p.kind.startsWith('permit') ? 'permit' : 'forbid'}</span>
                    <code>{p.id}</code>
                    <span className="muted small">line {p.line}</span>
                    {p.rationale && <span className="editor-outline-rationale">{p.rationale}</span>}
                    {p.control && <ControlNote id={p.control} controls={controls} />}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </nav>
      </div>
    </section>
  );
}

/** The control a policy's @control names: its title and statement, or a warning when unknown. */
function ControlNote({ id, controls }: { id: string; controls: Map<string, ControlStatus> | null }) {
  const control = controls?.get(id);
  // Until the controls load, the id alone; once loaded, an id they lack is flagged.
  const unknown = controls !== null && !control;
  return (
    <span
      className={unknown ? 'editor-outline-control editor-outline-control-unknown' : 'editor-outline-control'}
      data-testid="policy-control"
      data-control={id}
      data-known={controls === null ? undefined : String(!unknown)}
    >
      <span className="editor-outline-control-id">{id}</span>
      {control && <span className="editor-outline-control-title">{control.title}</span>}
      {control && <span className="editor-outline-control-statement">{control.statement}</span>}
      {unknown && (
        <span className="editor-outline-control-warning" data-testid="policy-control-unknown">
          unknown control: not in controls/controls.toml nor the library
        </span>
      )}
    </span>
  );
}

/** What changed on disk since the buffer's base: what overwriting would undo. */
function TheirChange({ base, theirs }: { base: string; theirs: string }) {
  const diff = lineDiff(base, theirs);
  const { added, removed } = changeCounts(diff);
  return (
    <>
      <p className="muted small">
        Their change since you opened the file: <span className="pub-diff-plus">+{added}</span>{' '}
        <span className="pub-diff-minus">−{removed}</span> lines.
      </p>
      <pre className="pub-diff-lines conflict-diff" tabIndex={0} aria-label={`Their change: ${added} lines added, ${removed} removed`}>
        {withContext(diff).map((l, i) =>
          l.kind === 'skip' ? (
            <span key={i} className="pub-diff-line conflict-diff-skip" data-kind="skip">
              <span className="pub-diff-sign" aria-hidden="true">
                ⋯
              </span>
              {l.count} unchanged {l.count === 1 ? 'line' : 'lines'}
            </span>
          ) : (
            <span
              key={i}
              className={`pub-diff-line ${l.kind === '+' ? 'pub-diff-add' : l.kind === '-' ? 'pub-diff-del' : 'pub-diff-ctx'}`}
              data-kind={l.kind}
            >
              <span className="pub-diff-sign" aria-hidden="true">
                {l.kind}
              </span>
              {l.text}
            </span>
          ),
        )}
      </pre>
    </>
  );
}
