import { fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { expect, it } from 'vitest';
import { suggest, TokenInput, type TokenOption } from './TokenInput';

const OPTIONS: TokenOption[] = [
  { value: 'stripe.refund', hint: 'stripe' },
  { value: 'stripe.invoice.read', hint: 'stripe' },
  { value: 'github.pr.comment', hint: 'github' },
  { value: 'zendesk.ticket.update', hint: 'zendesk' },
];

it('suggests prefix matches first, then substring and hint matches, without chosen values', () => {
  expect(suggest(OPTIONS, 'stripe', []).map((o) => o.value)).toEqual(['stripe.refund', 'stripe.invoice.read']);
  expect(suggest(OPTIONS, 'stripe', ['stripe.refund']).map((o) => o.value)).toEqual(['stripe.invoice.read']);
  expect(suggest(OPTIONS, 'comment', []).map((o) => o.value)).toEqual(['github.pr.comment']);
  expect(suggest(OPTIONS, 'zend', []).map((o) => o.value)).toEqual(['zendesk.ticket.update']);
  expect(suggest(OPTIONS, '', [], 2)).toHaveLength(2);
});

function Harness({ initial }: { initial: string[] }) {
  const [values, setValues] = useState(initial);
  return (
    <>
      <TokenInput id="t" testId="tokens" values={values} options={OPTIONS} onChange={setValues} />
      <output data-testid="values">{values.join(',')}</output>
    </>
  );
}

it('adds with Enter or a comma, removes with Backspace and the × button, marks unknown values', () => {
  render(<Harness initial={['legacy.tool']} />);
  const input = screen.getByTestId('tokens');
  expect(screen.getByTitle(/legacy.tool — not in the inventory/)).toBeTruthy();
  fireEvent.focus(input);
  fireEvent.change(input, { target: { value: 'git' } });
  expect(screen.getAllByRole('option').map((o) => o.textContent)).toEqual(['github.pr.commentgithub']);
  fireEvent.keyDown(input, { key: 'Enter' });
  expect(screen.getByTestId('values').textContent).toBe('legacy.tool,github.pr.comment');
  fireEvent.change(input, { target: { value: 'custom' } });
  fireEvent.keyDown(input, { key: ',' });
  expect(screen.getByTestId('values').textContent).toBe('legacy.tool,github.pr.comment,custom');
  fireEvent.keyDown(input, { key: 'Backspace' });
  expect(screen.getByTestId('values').textContent).toBe('legacy.tool,github.pr.comment');
  fireEvent.click(screen.getByRole('button', { name: 'Remove legacy.tool' }));
  expect(screen.getByTestId('values').textContent).toBe('github.pr.comment');
});
