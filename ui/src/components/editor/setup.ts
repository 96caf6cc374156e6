// CodeMirror wiring for the policy editor: Cedar language, highlighting (classes styled in
// styles.css), lint, completion, keymaps, and a CSP workaround for CodeMirror's styles.
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap, type Completion, type CompletionSource } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { bracketMatching, indentOnInput, StreamLanguage, syntaxHighlighting } from '@codemirror/language';
import { lintGutter, linter, type Diagnostic as LintDiagnostic } from '@codemirror/lint';
import { highlightSelectionMatches, searchKeymap } from '@codemirror/search';
import { EditorState, Prec, type Extension } from '@codemirror/state';
import { drawSelection, EditorView, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers } from '@codemirror/view';
import { classHighlighter } from '@lezer/highlight';
import type { SchemaOutline } from '../../bindings/SchemaOutline';
import type { EditorDiagnostic } from '../../lib/cedar/ranges';
import { contextFields, entityAttributes, policyScopeAt, scopeActions, scopeEntityTypes } from '../../lib/cedar/scope';
import { cedarMode, KEYWORDS, VARIABLES } from '../../lib/cedar/tokenizer';

export const cedarLanguage = StreamLanguage.define(cedarMode);

let mirrored = false;

/**
 * CodeMirror (style-mod) puts its styles in a `<style>` element when mounted in a document,
 * which the app's CSP (`style-src 'self'`) blocks. This mirrors those rules — recognised by
 * style-mod's `ͼ` class prefix — into constructed stylesheets on `document.adoptedStyleSheets`,
 * which CSP does not restrict. Harmless where the `<style>` element does apply (dev server).
 */
export function mirrorInjectedStyles(doc: Document = document): void {
  if (mirrored) return;
  const win = doc.defaultView;
  if (!win || !('adoptedStyleSheets' in doc) || typeof win.CSSStyleSheet?.prototype.replaceSync !== 'function') return;
  mirrored = true;
  const sheets = new Map<HTMLStyleElement, CSSStyleSheet>();
  const sync = () => {
    for (const el of doc.head.querySelectorAll('style')) {
      const text = el.textContent;
      if (!text.includes('\u037c')) continue;
      let sheet = sheets.get(el);
      if (!sheet) {
        sheet = new win.CSSStyleSheet();
        sheets.set(el, sheet);
        doc.adoptedStyleSheets = [...doc.adoptedStyleSheets, sheet];
      }
      try {
        sheet.replaceSync(text);
      } catch {
        // A rule this engine cannot parse: keep what was there.
      }
    }
  };
  new win.MutationObserver(sync).observe(doc.head, { childList: true, subtree: true, characterData: true });
  sync();
}

const KEYWORD_OPTIONS: Completion[] = [...KEYWORDS, ...VARIABLES, 'true', 'false', 'then'].map((k) => ({
  label: k,
  type: VARIABLES.has(k) ? 'variable' : 'keyword',
}));

/** Completion from the schema outline: types, action uids, and attributes after `context.` etc. */
export function cedarCompletion(getOutline: () => SchemaOutline | null): CompletionSource {
  return (ctx) => {
    const outline = getOutline();
    const attr = ctx.matchBefore(/\b(?:context|principal|resource)\.\w*$/);
    if (attr) {
      if (!outline) return null;
      const dot = attr.text.indexOf('.');
      const variable = attr.text.slice(0, dot);
      const scope = policyScopeAt(ctx.state.doc.toString(), ctx.pos);
      const attrs =
        variable === 'context'
          ? contextFields(outline, scope)
          : entityAttributes(outline, scope, variable === 'principal' ? 'principal' : 'resource');
      return {
        from: attr.from + dot + 1,
        options: attrs.map((a) => ({ label: a.name, type: 'property', detail: a.required ? a.type_name : `${a.type_name} (optional)` })),
        validFor: /^\w*$/,
      };
    }
    const word = ctx.matchBefore(/[A-Za-z_][\w]*(?:::(?:[A-Za-z_]\w*|"[^"]*"?)?)*$/);
    if (!word && !ctx.explicit) return null;
    const from = word?.from ?? ctx.pos;
    // In the scope, after `principal is` / `resource ==` / `action in` …: only what fits the
    // rest of the scope (the actions' principal and resource types, and vice versa).
    const before = ctx.state.doc.sliceString(Math.max(0, from - 40), from);
    const slot = /\b(principal|resource|action)\s*(is|==|in)\s*\[?\s*$/.exec(before);
    if (outline && slot) {
      const scope = policyScopeAt(ctx.state.doc.toString(), ctx.pos);
      if (slot[1] === 'action') {
        const actions = scopeActions(outline, { ...scope, actions: null });
        return {
          from,
          options: actions.map((a) => ({ label: a.uid, type: 'enum', detail: 'action', boost: 1 })),
          validFor: /^[\w:"]*$/,
        };
      }
      const variable = slot[1] === 'principal' ? 'principal' : 'resource';
      const types = scopeEntityTypes(outline, scope, variable, slot[2] as 'is' | '==' | 'in');
      return {
        from,
        options: types.map((t) => ({ label: t, type: 'type', detail: `${variable} type`, boost: 1 })),
        validFor: /^[\w:"]*$/,
      };
    }
    const options: Completion[] = [...KEYWORD_OPTIONS];
    if (outline) {
      for (const t of outline.entity_types) options.push({ label: t.name, type: 'type' });
      for (const a of outline.actions) options.push({ label: a.uid, type: 'enum', detail: 'action' });
    }
    return { from, options, validFor: /^[\w:"]*$/ };
  };
}

export function toLintDiagnostics(diags: EditorDiagnostic[]): LintDiagnostic[] {
  return diags.map((d) => ({
    from: d.from,
    to: d.to,
    severity: d.severity,
    source: d.code,
    message: d.help ? `${d.message}\n${d.help}` : d.message,
    renderMessage: () => {
      const el = document.createElement('div');
      el.className = 'cm-cedar-message';
      const msg = document.createElement('div');
      msg.textContent = d.message;
      el.appendChild(msg);
      if (d.help) {
        const help = document.createElement('div');
        help.className = 'cm-cedar-help';
        help.textContent = d.help;
        el.appendChild(help);
      }
      return el;
    },
  }));
}

export interface SetupOptions {
  doc: string;
  lint: (view: EditorView) => Promise<LintDiagnostic[]>;
  getOutline: () => SchemaOutline | null;
  onChange: (text: string) => void;
  onSave: () => void;
  onFormat: () => void;
}

export function editorExtensions(o: SetupOptions): Extension[] {
  return [
    Prec.highest(
      keymap.of([
        { key: 'Mod-s', preventDefault: true, run: () => (o.onSave(), true) },
        { key: 'Shift-Alt-f', preventDefault: true, run: () => (o.onFormat(), true) },
      ]),
    ),
    lineNumbers(),
    // Policies carry long @rationale annotations; wrapping keeps the whole line in view.
    EditorView.lineWrapping,
    highlightActiveLineGutter(),
    history(),
    drawSelection(),
    indentOnInput(),
    bracketMatching(),
    closeBrackets(),
    highlightActiveLine(),
    highlightSelectionMatches(),
    cedarLanguage,
    syntaxHighlighting(classHighlighter),
    autocompletion({ override: [cedarCompletion(o.getOutline)] }),
    linter(o.lint, { delay: 300 }),
    lintGutter(),
    keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...searchKeymap, ...historyKeymap, ...completionKeymap, indentWithTab]),
    EditorView.updateListener.of((u) => {
      if (u.docChanged) o.onChange(u.state.doc.toString());
    }),
    EditorState.tabSize.of(2),
    EditorView.contentAttributes.of({ 'aria-label': 'Policy source' }),
  ];
}
