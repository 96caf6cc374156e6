import { describe, expect, it } from 'vitest';
import type { MappingView } from '../bindings/MappingView';
import { coverageReport } from '../test/fakeBackend';
import {
  ancestorKeys,
  assessableInTreeOrder,
  columnGroups,
  columnLabel,
  draftsOf,
  draftTargets,
  EXPORTS,
  exportFileName,
  findItem,
  gapsFor,
  groupGaps,
  itemHeading,
  itemTitle,
  mappingFromSuggestion,
  mappingFromView,
  mappingsToSave,
  nextDraftId,
  percentText,
  searchItems,
  targetKey,
} from './frameworks';

const report = coverageReport();
const fw = (id: string) => report.frameworks.find((f) => f.id === id)!;
const control = (id: string) => report.controls.find((c) => c.id === id)!;

it('shows the core’s percentage without a useless decimal', () => {
  expect(percentText(11.1)).toBe('11.1%');
  expect(percentText(0)).toBe('0%');
  expect(percentText(100)).toBe('100%');
  expect(percentText(1.4)).toBe('1.4%');
});

describe('items', () => {
  it('heads an item with its label and title, or the start of its text when untitled', () => {
    const asi = fw('owasp-agentic-top10-2026').items[0]!;
    expect(itemHeading(asi)).toBe('ASI01 Agent Goal Hijack');
    // MAESTRO labels already end with the threat's name.
    const threat = fw('csa-maestro').items.find((i) => i.label === 'L7: Agent Tool Misuse')!;
    expect(threat.key).not.toBe(threat.label);
    expect(itemHeading(threat)).toBe('L7: Agent Tool Misuse');
    // NIST subcategories have no title: their official text stands in, shortened.
    const nist = fw('nist-ai-rmf-1.0').items.find((i) => i.label === 'GOVERN 1.1')!;
    expect(nist.title).toBe('');
    expect(itemTitle(nist)).toBe('Legal and regulatory requirements involving AI are understood, managed, and documented.');
    expect(itemHeading(nist)).toBe(`GOVERN 1.1 ${itemTitle(nist)}`);
    expect(itemTitle({ title: '', text: 'Short. Then more.' })).toBe('Short.');
    expect(itemTitle({ title: '', text: 'word '.repeat(30) })).toBe(`${'word '.repeat(17).trimEnd()}…`);
  });

  it('walks NIST function → category → subcategory, and finds an item by label or key', () => {
    const nist = fw('nist-ai-rmf-1.0');
    expect(ancestorKeys(nist, 'GOVERN 1.1')).toEqual(['GOVERN', 'GOVERN 1']);
    expect(ancestorKeys(nist, 'GOVERN')).toEqual([]);
    expect(findItem(report, 'csa-maestro', 'L7: Agent Tool Misuse')?.key).toBe('L7/agent-tool-misuse');
    expect(findItem(report, 'csa-maestro', null)).toBeNull();
    expect(findItem(report, 'nope', 'ASI01')).toBeNull();
  });

  it('orders the columns by tree, groups them under NIST functions and MAESTRO layers, and lists OWASP flat', () => {
    const nist = fw('nist-ai-rmf-1.0');
    const columns = assessableInTreeOrder(nist);
    expect(columns).toHaveLength(nist.applicable + nist.not_applicable);
    expect(columns.every((c) => c.assessable)).toBe(true);
    const groups = columnGroups(nist, columns);
    expect(groups.map((g) => [g.label, g.span])).toEqual([
      ['GOVERN', 19],
      ['MAP', 18],
      ['MEASURE', 22],
      ['MANAGE', 13],
    ]);

    const maestro = fw('csa-maestro');
    const threats = assessableInTreeOrder(maestro);
    expect(columnGroups(maestro, threats).map((g) => g.label)).toEqual(['L1', 'L2', 'L3', 'L4', 'L5', 'L6', 'L7', 'Cross-layer']);
    // The layer is the row above, so the column says only the threat.
    const misuse = threats.find((t) => t.label === 'L7: Agent Tool Misuse')!;
    expect(columnLabel(maestro, misuse)).toBe('Agent Tool Misuse');

    const owasp = fw('owasp-agentic-top10-2026');
    expect(columnGroups(owasp, assessableInTreeOrder(owasp))).toEqual([]);
    expect(columnLabel(owasp, owasp.items[0]!)).toBe('ASI01');
  });

  it('searches assessable items by label, title or text', () => {
    const owasp = fw('owasp-agentic-top10-2026');
    expect(searchItems(owasp, 'tool misuse').map((i) => i.label)).toEqual(['ASI02']);
    expect(searchItems(owasp, 'asi1').map((i) => i.label)).toEqual(['ASI10']);
    expect(searchItems(owasp, '  ')).toHaveLength(10);
    expect(searchItems(fw('nist-ai-rmf-1.0'), 'GOVERN 1').every((i) => i.assessable)).toBe(true);
  });
});

describe('gaps', () => {
  it('groups gaps by code in the core’s order, with a title each', () => {
    const groups = groupGaps(report.gaps);
    expect(groups.map((g) => [g.code, g.gaps.length])).toEqual([
      ['check.failing', 13],
      ['policy.never_fired', 2],
      ['control.no_evidence', 1],
      ['mapping.unresolved', 1],
      ['item.no_control', 156],
    ]);
    expect(groups[0]!.title).toBe('Failing inventory checks');
    expect(groupGaps([{ ...report.gaps[0]!, code: 'new.code' }])[0]!.title).toBe('new.code');
  });

  it('narrows gaps to one framework, keeping those about no framework in particular', () => {
    const owasp = gapsFor(report.gaps, 'owasp-agentic-top10-2026');
    expect(owasp.filter((g) => g.code === 'item.no_control')).toHaveLength(6);
    expect(owasp.filter((g) => g.code === 'check.failing')).toHaveLength(13);
    expect(gapsFor(report.gaps, null)).toHaveLength(report.gaps.length);
  });
});

describe('saving a control’s mappings', () => {
  const view = (over: Partial<MappingView>): MappingView => ({
    framework: 'owasp-agentic-top10-2026',
    key: 'ASI03',
    label: 'ASI03',
    written: 'ASI03',
    relevance: 'why',
    resolution: { kind: 'exact', framework: 'owasp-agentic-top10-2026', key: 'ASI03' },
    counted: true,
    ...over,
  });

  it('writes a resolved mapping by its label, keeping other spellings as the citation', () => {
    expect(mappingFromView(view({}))).toEqual({ framework: 'owasp-agentic-top10-2026', item: 'ASI03', relevance: 'why' });
    const own = control('MND-OWN-01').mappings[0]!;
    expect(own.resolution.kind).toBe('variant');
    expect(mappingFromView(own)).toEqual({
      framework: 'nist-ai-rmf-1.0',
      item: 'GOVERN 2.1',
      relevance: 'Every agent has one accountable human.',
      cited: 'GV-2.1',
    });
  });

  it('keeps an unresolved mapping as a citation only, which the core accepts and never counts', () => {
    const deleg = control('MND-DELEG-02').mappings[0]!;
    expect(mappingFromView(deleg)).toEqual({ framework: '', item: '', relevance: 'Delegation never escalates risk.', cited: 'CSA MAESTRO T1' });
    const r = deleg.resolution;
    if (r.kind !== 'unresolved') throw new Error('expected an unresolved citation');
    expect(mappingFromSuggestion(deleg, r.suggestions[0]!)).toEqual({
      framework: 'owasp-agentic-threats-mitigations',
      item: 'T1',
      relevance: 'Delegation never escalates risk.',
      cited: 'CSA MAESTRO T1',
    });
  });

  it('saves every mapping in order, the added ones last, and knows which items are taken', () => {
    const drafts = [
      ...draftsOf(control('MND-STEPUP-01')),
      { kind: 'added' as const, mapping: { framework: 'csa-maestro', item: 'L7: Agent Impersonation', relevance: '  ' }, id: 3 },
    ];
    expect(nextDraftId(drafts)).toBe(4);
    expect(mappingsToSave(drafts)).toEqual([
      { framework: 'owasp-agentic-top10-2026', item: 'ASI09', relevance: expect.any(String) as string },
      { framework: 'csa-maestro', item: 'L7: Agent Tool Misuse', relevance: expect.any(String) as string },
      { framework: 'nist-ai-rmf-1.0', item: 'MANAGE 2.4', relevance: expect.any(String) as string },
      { framework: 'csa-maestro', item: 'L7: Agent Impersonation', relevance: '' },
    ]);
    const taken = draftTargets(drafts, report);
    expect(taken.has(targetKey('owasp-agentic-top10-2026', 'ASI09'))).toBe(true);
    expect(taken.has(targetKey('csa-maestro', 'L7/agent-impersonation'))).toBe(true);
    expect(taken.has(targetKey('owasp-agentic-top10-2026', 'ASI01'))).toBe(false);
  });
});

it('proposes an export file name per format and scope', () => {
  const byId = (id: string) => EXPORTS.find((e) => e.id === id)!;
  expect(exportFileName(byId('csv-alignment'), null)).toBe('coverage-alignment.csv');
  expect(exportFileName(byId('csv-matrix'), 'nist-ai-rmf-1.0')).toBe('coverage-nist-ai-rmf-1.0-traceability.csv');
  expect(exportFileName(byId('oscal'), null)).toBe('coverage-oscal.json');
  expect(exportFileName(byId('html'), 'csa-maestro')).toBe('coverage-csa-maestro.html');
  expect(EXPORTS.map((e) => [e.format, e.table])).toEqual([
    ['csv', 'alignment'],
    ['csv', 'matrix'],
    ['json', null],
    ['oscal', null],
    ['md', null],
    ['html', null],
  ]);
});
