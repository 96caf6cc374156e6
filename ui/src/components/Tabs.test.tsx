import { fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { expect, it } from 'vitest';
import { Tabs } from './Tabs';

const TABS = ['one', 'two', 'three'] as const;
type Tab = (typeof TABS)[number];
const LABELS: Record<Tab, string> = { one: 'One', two: 'Two', three: 'Three' };

function Harness() {
  const [tab, setTab] = useState<Tab>('one');
  return (
    <Tabs
      tabs={TABS}
      labels={LABELS}
      selected={tab}
      onSelect={setTab}
      label="Views"
      idPrefix="x"
      extra={{ two: <span className="tab-count">7</span> }}
    />
  );
}

const selected = () => TABS.filter((t) => screen.getByTestId(`x-tab-${t}`).getAttribute('aria-selected') === 'true');
const tabIndexes = () => TABS.map((t) => screen.getByTestId(`x-tab-${t}`).tabIndex);

it('renders a labelled tablist whose tabs control their panels, with extra content', () => {
  render(<Harness />);
  expect(screen.getByRole('tablist', { name: 'Views' })).toBeTruthy();
  const two = screen.getByTestId('x-tab-two');
  expect(two.id).toBe('x-tab-two');
  expect(two.getAttribute('role')).toBe('tab');
  expect(two.className).toBe('tab');
  expect(two.getAttribute('aria-controls')).toBe('x-panel-two');
  expect(two.textContent).toBe('Two7');
  expect(selected()).toEqual(['one']);
  expect(tabIndexes()).toEqual([0, -1, -1]);
});

it('moves selection and focus with the arrow keys, wrapping at both ends, and selects on click', () => {
  render(<Harness />);
  const tab = (t: Tab) => screen.getByTestId(`x-tab-${t}`);

  fireEvent.keyDown(tab('one'), { key: 'ArrowRight' });
  expect(selected()).toEqual(['two']);
  expect(tabIndexes()).toEqual([-1, 0, -1]);
  expect(document.activeElement).toBe(tab('two'));

  fireEvent.keyDown(tab('two'), { key: 'ArrowRight' });
  fireEvent.keyDown(tab('three'), { key: 'ArrowRight' });
  expect(selected()).toEqual(['one']);
  expect(document.activeElement).toBe(tab('one'));

  fireEvent.keyDown(tab('one'), { key: 'ArrowLeft' });
  expect(selected()).toEqual(['three']);
  expect(tabIndexes()).toEqual([-1, -1, 0]);
  expect(document.activeElement).toBe(tab('three'));

  fireEvent.keyDown(tab('three'), { key: 'Enter' });
  expect(selected()).toEqual(['three']);

  fireEvent.click(tab('two'));
  expect(selected()).toEqual(['two']);
});
