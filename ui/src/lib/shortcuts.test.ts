import { afterEach, describe, expect, it } from 'vitest';
import { formatKeys, isTypingTarget, KEYS, pageKeys, SEQUENCE_MS, ShortcutReader, whenShown, type KeyPress } from './shortcuts';

const press = (key: string, over: Partial<KeyPress> = {}): KeyPress => ({
  key,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  typing: false,
  at: 0,
  ...over,
});

describe('ShortcutReader', () => {
  it('reads the modifier shortcuts with Ctrl off a Mac and ⌘ on one', () => {
    const pc = new ShortcutReader(false);
    expect(pc.read(press('k', { ctrlKey: true }))).toEqual({ kind: 'palette' });
    expect(pc.read(press('K', { ctrlKey: true, shiftKey: true }))).toEqual({ kind: 'palette' });
    expect(pc.read(press(',', { ctrlKey: true }))).toEqual({ kind: 'settings' });
    expect(pc.read(press('o', { ctrlKey: true }))).toEqual({ kind: 'open-workspace' });
    expect(pc.read(press('k', { metaKey: true }))).toBeNull();
    const mac = new ShortcutReader(true);
    expect(mac.read(press('k', { metaKey: true }))).toEqual({ kind: 'palette' });
    expect(mac.read(press('k', { ctrlKey: true }))).toBeNull();
  });

  it('works the modifier shortcuts while typing, but never the single keys', () => {
    const r = new ShortcutReader(false);
    expect(r.read(press('k', { ctrlKey: true, typing: true }))).toEqual({ kind: 'palette' });
    expect(r.read(press('?', { typing: true }))).toBeNull();
    expect(r.read(press('g', { typing: true, at: 0 }))).toBeNull();
    expect(r.read(press('d', { typing: true, at: 10 }))).toBeNull();
    // A `g` typed into a field does not arm the sequence for a key pressed outside it.
    expect(r.read(press('d', { at: 20 }))).toBeNull();
  });

  it('goes to a page on g then its key, only soon after the g', () => {
    const r = new ShortcutReader(false);
    expect(r.read(press('g', { at: 1000 }))).toBeNull();
    expect(r.read(press('p', { at: 1100 }))).toEqual({ kind: 'page', page: 'policies' });
    expect(r.read(press('p', { at: 1200 }))).toBeNull();
    r.read(press('g', { at: 5000 }));
    expect(r.read(press('u', { at: 5000 + SEQUENCE_MS + 1 }))).toBeNull();
    r.read(press('g', { at: 9000 }));
    expect(r.read(press('x', { at: 9001 }))).toBeNull();
    expect(r.read(press('l', { at: 9002 }))).toBeNull();
    r.read(press('g', { at: 9100 }));
    expect(r.read(press('l', { at: 9101 }))).toEqual({ kind: 'page', page: 'audit' });
    expect(r.read(press('?', { shiftKey: true }))).toEqual({ kind: 'palette' });
  });
});

describe('formatKeys', () => {
  it('shows Ctrl off a Mac, ⌘ on one, and sequences in words', () => {
    expect(formatKeys(KEYS.palette, false)).toBe('Ctrl+K');
    expect(formatKeys(KEYS.settings, true)).toBe('⌘,');
    expect(formatKeys(pageKeys('dashboard')!, false)).toBe('G then D');
    expect(pageKeys('settings')).toBeNull();
  });
});

describe('isTypingTarget', () => {
  afterEach(() => {
    document.body.innerHTML = '';
  });

  it('treats text fields, selects and the policy editor as typing, and buttons and checkboxes not', () => {
    document.body.innerHTML = `
      <input id="text" /><input id="box" type="checkbox" /><textarea id="area"></textarea>
      <select id="sel"></select><button id="btn">x</button>
      <div class="cm-editor"><div id="cm" class="cm-content"></div></div>
      <div id="combo" role="combobox"></div>`;
    const el = (id: string) => document.getElementById(id);
    expect(isTypingTarget(el('text'))).toBe(true);
    expect(isTypingTarget(el('area'))).toBe(true);
    expect(isTypingTarget(el('sel'))).toBe(true);
    expect(isTypingTarget(el('cm'))).toBe(true);
    expect(isTypingTarget(el('combo'))).toBe(true);
    expect(isTypingTarget(el('box'))).toBe(false);
    expect(isTypingTarget(el('btn'))).toBe(false);
    expect(isTypingTarget(document.body)).toBe(false);
    expect(isTypingTarget(null)).toBe(false);
  });
});

describe('whenShown', () => {
  it('acts on an element at once, or once it appears', async () => {
    document.body.innerHTML = '<p id="now">x</p>';
    const seen: string[] = [];
    whenShown('#now', (el) => seen.push(el.id));
    expect(seen).toEqual(['now']);
    whenShown('#later', (el) => seen.push(el.id));
    const later = document.createElement('button');
    later.id = 'later';
    document.body.append(later);
    await Promise.resolve();
    await new Promise((r) => setTimeout(r, 0));
    expect(seen).toEqual(['now', 'later']);
  });
});
