import { expect, it } from 'vitest';
import { tokenize } from './tokenizer';

it('tokenizes a Cedar policy', () => {
  const tokens = tokenize(`// who may refund
@id("refunds")
permit (principal is Acme::Agent, action == Acme::Action::"refund", resource)
when { context.amount <= 500 && principal has owner_team && !false }
unless { resource.name like "test*" };`);
  const style = (text: string) => tokens.find(([t]) => t === text)?.[1];
  expect(tokens[0]).toEqual(['// who may refund', 'comment']);
  expect(style('@id')).toBe('meta');
  expect(style('"refunds"')).toBe('string');
  expect(style('permit')).toBe('keyword');
  expect(style('principal')).toBe('variableName.special');
  expect(style('is')).toBe('keyword');
  expect(style('Acme::Agent')).toBe('typeName');
  expect(style('Acme::Action')).toBe('typeName');
  expect(style('"refund"')).toBe('string');
  expect(style('==')).toBe('operator');
  expect(style('amount')).toBe('propertyName');
  expect(style('500')).toBe('number');
  expect(style('&&')).toBe('operator');
  expect(style('has')).toBe('keyword');
  expect(style('false')).toBe('bool');
  expect(style('like')).toBe('keyword');
  expect(style('unless')).toBe('keyword');
  expect(style('name')).toBe('propertyName');
});

it('keeps a string open across lines', () => {
  expect(tokenize('@rationale("two\nlines") permit')).toEqual([
    ['@rationale', 'meta'],
    ['(', 'punctuation'],
    ['"two', 'string'],
    ['lines"', 'string'],
    [')', 'punctuation'],
    ['permit', 'keyword'],
  ]);
});
