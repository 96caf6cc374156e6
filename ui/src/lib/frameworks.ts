// The Frameworks page's view of a coverage report: item trees, the controls × items matrix,
// gaps by code, the mapping list a control edit saves, and the export choices. Every count,
// status and percentage comes from the core; nothing here recomputes coverage.
import type { ControlCoverage } from '../bindings/ControlCoverage';
import type { CoverageReport } from '../bindings/CoverageReport';
import type { CoverageStatus } from '../bindings/CoverageStatus';
import type { EvidenceKind } from '../bindings/EvidenceKind';
import type { EvidenceState } from '../bindings/EvidenceState';
import type { FrameworkCoverage } from '../bindings/FrameworkCoverage';
import type { Gap } from '../bindings/Gap';
import type { ItemCoverage } from '../bindings/ItemCoverage';
import type { Mapping } from '../bindings/Mapping';
import type { MappingView } from '../bindings/MappingView';
import type { Suggestion } from '../bindings/Suggestion';

export const STATUS_LABELS: Record<CoverageStatus, string> = {
  implemented: 'Implemented',
  partial: 'Partial',
  planned: 'Planned',
  'not-applicable': 'Not applicable',
  uncovered: 'Uncovered',
};

/** The order a legend and the counts list statuses in, best first. */
export const STATUSES: readonly CoverageStatus[] = ['implemented', 'partial', 'planned', 'uncovered', 'not-applicable'];

export const EVIDENCE_KIND_LABELS: Record<EvidenceKind, string> = {
  policy: 'Policy',
  check: 'Inventory check',
  insight: 'Traffic insight',
  analysis: 'Analysis',
  attestation: 'Attestation',
};

export const EVIDENCE_STATE_LABELS: Record<EvidenceState, string> = {
  holds: 'Holds',
  stale: 'Stale',
  failing: 'Failing',
  missing: 'Missing',
};

/** What each gap code means, as a group heading. Unknown codes show as themselves. */
export const GAP_TITLES: Record<string, string> = {
  'item.no_control': 'Items no control maps to',
  'control.no_evidence': 'Controls without evidence',
  'control.no_enforcement': 'Controls nothing enforces',
  'control.unknown_evidence': 'Checks or insights that do not exist',
  'policy.missing': 'Policies named but missing',
  'policy.invalid': 'Policies that do not validate',
  'policy.never_fired': 'Policies that never decided recorded traffic',
  'check.failing': 'Failing inventory checks',
  'insight.found': 'Findings in recorded traffic',
  'evidence.stale': 'Stale evidence',
  'attestation.expired': 'Expired attestations',
  'attestation.invalid': 'Attestations that cannot be read',
  'mapping.unresolved': 'Citations that name no official item',
  'mapping.group': 'Mappings to a group instead of its items',
  'not_applicable.unknown': 'Not-applicable entries to fix',
};

/** `11.1%`, `0%`, `100%`: the core's one-decimal percentage, without a useless `.0`. */
export function percentText(percent: number): string {
  return `${Number.isInteger(percent) ? percent : percent.toFixed(1)}%`;
}

/**
 * A line that says what an item is: its label, then its title; NIST subcategories have no
 * title, so the start of their text stands in. MAESTRO labels already end with the title.
 */
export function itemHeading(item: Pick<ItemCoverage, 'label' | 'title' | 'text'>): string {
  const title = itemTitle(item);
  if (title === '' || item.label.endsWith(title)) return item.label;
  return `${item.label} ${title}`;
}

/** The item's title, or for an untitled item the first sentence of its text, shortened. */
export function itemTitle(item: Pick<ItemCoverage, 'title' | 'text'>): string {
  if (item.title) return item.title;
  const text = item.text.trim();
  const sentence = text.split(/(?<=[.;:])\s/)[0] ?? text;
  if (sentence.length <= 90) return sentence;
  // Cut at a word, not inside one.
  const cut = sentence.slice(0, 88);
  const space = cut.lastIndexOf(' ');
  return `${(space > 40 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** Items by their parent's key (`null`: the top level), each list in catalog order. */
export function childrenByParent(fw: FrameworkCoverage): Map<string | null, ItemCoverage[]> {
  const out = new Map<string | null, ItemCoverage[]>();
  for (const i of fw.items) {
    const list = out.get(i.parent) ?? [];
    list.push(i);
    out.set(i.parent, list);
  }
  return out;
}

/** The keys of an item's groups, outermost first (not the item itself). */
export function ancestorKeys(fw: FrameworkCoverage, key: string): string[] {
  const byKey = new Map(fw.items.map((i) => [i.key, i]));
  const out: string[] = [];
  let parent = byKey.get(key)?.parent ?? null;
  while (parent !== null && !out.includes(parent)) {
    out.unshift(parent);
    parent = byKey.get(parent)?.parent ?? null;
  }
  return out;
}

/** Assessable items in tree order (each group's items together), the matrix's columns. */
export function assessableInTreeOrder(fw: FrameworkCoverage): ItemCoverage[] {
  const children = childrenByParent(fw);
  const out: ItemCoverage[] = [];
  const walk = (parent: string | null, seen: Set<string>) => {
    for (const i of children.get(parent) ?? []) {
      if (seen.has(i.key)) continue;
      seen.add(i.key);
      if (i.assessable) out.push(i);
      walk(i.key, seen);
    }
  };
  walk(null, new Set());
  return out;
}

export interface ColumnGroup {
  key: string;
  label: string;
  title: string;
  span: number;
}

/**
 * Runs of columns under the same top-level group (NIST functions, MAESTRO layers), for a
 * header row above the item labels; empty for a flat list such as the OWASP Top 10.
 */
export function columnGroups(fw: FrameworkCoverage, columns: readonly ItemCoverage[]): ColumnGroup[] {
  const byKey = new Map(fw.items.map((i) => [i.key, i]));
  const out: ColumnGroup[] = [];
  let grouped = false;
  for (const c of columns) {
    const top = ancestorKeys(fw, c.key)[0];
    const group = top === undefined ? undefined : byKey.get(top);
    if (group) grouped = true;
    const key = group?.key ?? '';
    const last = out[out.length - 1];
    if (last && last.key === key) last.span++;
    else out.push({ key, label: group?.label ?? '', title: group?.title ?? '', span: 1 });
  }
  return grouped ? out : [];
}

/** A column head: the label without its group's, which the row above shows (`L7: X` → `X`). */
export function columnLabel(fw: FrameworkCoverage, item: ItemCoverage): string {
  const parent = item.parent === null ? undefined : fw.items.find((i) => i.key === item.parent);
  const prefix = parent ? `${parent.label}: ` : '';
  return prefix && item.label.startsWith(prefix) ? item.label.slice(prefix.length) : item.label;
}

/** The item a gap (or anything naming an item by label, as the core's gaps do) is about. */
export function findItem(report: CoverageReport, framework: string | null, label: string | null): ItemCoverage | null {
  if (framework === null || label === null) return null;
  const fw = report.frameworks.find((f) => f.id === framework);
  return fw?.items.find((i) => i.label === label || i.key === label) ?? null;
}

export interface GapGroup {
  code: string;
  title: string;
  gaps: Gap[];
}

/** Gaps grouped by code, in the order the codes first appear in the report (the core's). */
export function groupGaps(gaps: readonly Gap[]): GapGroup[] {
  const groups = new Map<string, Gap[]>();
  for (const g of gaps) {
    const list = groups.get(g.code) ?? [];
    list.push(g);
    groups.set(g.code, list);
  }
  return [...groups].map(([code, list]) => ({ code, title: GAP_TITLES[code] ?? code, gaps: list }));
}

/** Gaps about one framework, or about none in particular (a control's evidence). */
export function gapsFor(gaps: readonly Gap[], framework: string | null): Gap[] {
  if (framework === null) return [...gaps];
  return gaps.filter((g) => g.framework === null || g.framework === framework);
}

/**
 * The mapping to write back for one the core resolved (`MappingView` → `Mapping`), so a
 * control's full list can be saved after one edit without changing the others' meaning:
 * - resolved: the item by its official label (it always resolves); where the file wrote it
 *   otherwise (a variant such as `GV-2.1`, or a source's citation), that text is kept as
 *   `cited`;
 * - unresolved: only the citation, which the core keeps and never counts (a mapping whose
 *   `item` names nothing would be refused and block the save).
 */
export function mappingFromView(view: MappingView): Mapping {
  if (view.resolution.kind !== 'unresolved' && view.label !== null) {
    const m: Mapping = { framework: view.framework, item: view.label, relevance: view.relevance };
    if (view.written !== view.label) m.cited = view.written;
    return m;
  }
  return { framework: view.framework, item: '', relevance: view.relevance, cited: view.written };
}

/** One entry of the mapping editor: a mapping the core resolved, or one added in this edit. */
/** One row of the mapping editor. `id` stays with the row while the list is edited (a row's
 * own state, such as an open relevance editor, follows it when a row above is removed). */
export type MappingDraft = ({ kind: 'saved'; view: MappingView } | { kind: 'added'; mapping: Mapping }) & { id: number };

export function draftsOf(control: ControlCoverage): MappingDraft[] {
  return control.mappings.map((view, id) => ({ kind: 'saved', view, id }));
}

/** An id no draft of `drafts` has. */
export function nextDraftId(drafts: readonly MappingDraft[]): number {
  return drafts.reduce((max, d) => Math.max(max, d.id), -1) + 1;
}

/** The draft with another relevance; a saved mapping stays saved (it names the same item). */
export function withRelevance(draft: MappingDraft, relevance: string): MappingDraft {
  return draft.kind === 'saved'
    ? { ...draft, view: { ...draft.view, relevance } }
    : { ...draft, mapping: { ...draft.mapping, relevance } };
}

/** What `setControlMappings` receives for the editor's list: every mapping, in order, each
 * relevance trimmed. */
export function mappingsToSave(drafts: readonly MappingDraft[]): Mapping[] {
  return drafts.map((d) => {
    const m = d.kind === 'saved' ? mappingFromView(d.view) : d.mapping;
    return { ...m, relevance: m.relevance.trim() };
  });
}

/** A suggestion picked for an unresolved citation: the item it names, the citation kept. */
export function mappingFromSuggestion(view: MappingView, s: Suggestion, label: string = s.label): Mapping {
  return { framework: s.framework, item: label, relevance: view.relevance, cited: view.written };
}

/** The items the drafts name, as `targetKey`s (to keep an item from being added twice). */
export function draftTargets(drafts: readonly MappingDraft[], report: CoverageReport): Set<string> {
  const out = new Set<string>();
  for (const d of drafts) {
    if (d.kind === 'saved') {
      if (d.view.key !== null) out.add(targetKey(d.view.framework, d.view.key));
    } else {
      const item = findItem(report, d.mapping.framework, d.mapping.item);
      if (item) out.add(targetKey(d.mapping.framework, item.key));
    }
  }
  return out;
}

export function targetKey(framework: string, key: string): string {
  return `${framework}\u0000${key}`;
}

/** Assessable items matching `query` (label, official id, title or text), in tree order. */
export function searchItems(fw: FrameworkCoverage, query: string): ItemCoverage[] {
  const q = query.trim().toLowerCase();
  const items = assessableInTreeOrder(fw);
  if (q === '') return items;
  return items.filter((i) =>
    [i.label, i.official_id ?? '', i.title, i.text].some((s) => s.toLowerCase().includes(q)),
  );
}

export interface ExportChoice {
  id: string;
  label: string;
  format: 'csv' | 'json' | 'oscal' | 'md' | 'html';
  table: 'alignment' | 'matrix' | null;
  /** Ends the file name the save dialog proposes (`coverage[-framework]<suffix>`). */
  suffix: string;
  extensions: string[];
  filterName: string;
  hint: string;
}

export const EXPORTS: readonly ExportChoice[] = [
  {
    id: 'csv-alignment',
    label: 'CSV: alignment table',
    format: 'csv',
    table: 'alignment',
    suffix: '-alignment.csv',
    extensions: ['csv'],
    filterName: 'CSV',
    hint: 'Framework | Control / Reference | Relevance, one row per mapping',
  },
  {
    id: 'csv-matrix',
    label: 'CSV: traceability matrix',
    format: 'csv',
    table: 'matrix',
    suffix: '-traceability.csv',
    extensions: ['csv'],
    filterName: 'CSV',
    hint: 'item × control × policy × evidence',
  },
  {
    id: 'json',
    label: 'JSON',
    format: 'json',
    table: null,
    suffix: '.json',
    extensions: ['json'],
    filterName: 'JSON',
    hint: 'the whole report, as `mandate coverage --format json` prints it',
  },
  {
    id: 'oscal',
    label: 'OSCAL',
    format: 'oscal',
    table: null,
    suffix: '-oscal.json',
    extensions: ['json'],
    filterName: 'OSCAL JSON',
    hint: 'a component definition, with the framework catalogs written beside it',
  },
  {
    id: 'md',
    label: 'Markdown',
    format: 'md',
    table: null,
    suffix: '.md',
    extensions: ['md'],
    filterName: 'Markdown',
    hint: 'a readable report for a repository or a wiki',
  },
  {
    id: 'html',
    label: 'HTML',
    format: 'html',
    table: null,
    suffix: '.html',
    extensions: ['html'],
    filterName: 'HTML',
    hint: 'a self-contained page to send to an auditor',
  },
];

/** `coverage-nist-ai-rmf-1.0-alignment.csv`; `coverage-alignment.csv` for every framework. */
export function exportFileName(choice: ExportChoice, framework: string | null): string {
  return `coverage${framework ? `-${framework}` : ''}${choice.suffix}`;
}
