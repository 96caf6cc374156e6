import { describe, expect, it } from 'vitest';
import type { ApiError } from '../bindings/ApiError';
import { diagnostic } from '../test/fakeBackend';
import { isApiError, toApiError } from './types';

const apiError: ApiError = {
  code: 'config_invalid',
  message: 'expected `=` after key',
  help: 'mandate.toml must be valid TOML',
  diagnostics: [diagnostic({ file: 'mandate.toml', line: 3 })],
};

describe('isApiError', () => {
  it('accepts the shape the Rust side sends', () => {
    expect(isApiError(apiError)).toBe(true);
    expect(isApiError({ ...apiError, help: null, diagnostics: [] })).toBe(true);
  });

  it('rejects unknown codes and missing fields', () => {
    expect(isApiError({ ...apiError, code: 'teapot' })).toBe(false);
    expect(isApiError({ code: 'io', message: 'x' })).toBe(false);
    expect(isApiError({ ...apiError, help: 3 })).toBe(false);
    expect(isApiError('io')).toBe(false);
    expect(isApiError(null)).toBe(false);
  });
});

describe('toApiError', () => {
  it('passes an ApiError through unchanged', () => {
    expect(toApiError(apiError)).toBe(apiError);
  });

  it('turns the bare string Tauri rejects with into an internal error', () => {
    expect(toApiError('command open_workspace not found')).toEqual({
      code: 'internal',
      message: 'command open_workspace not found',
      help: null,
      diagnostics: [],
    });
  });

  it('keeps the message of an Error', () => {
    const e = toApiError(new TypeError('window.__TAURI_INTERNALS__ is undefined'));
    expect(e.code).toBe('internal');
    expect(e.message).toBe('window.__TAURI_INTERNALS__ is undefined');
  });

  it('fills in missing help and diagnostics but keeps a known code', () => {
    expect(toApiError({ code: 'io', message: 'permission denied' })).toEqual({
      code: 'io',
      message: 'permission denied',
      help: null,
      diagnostics: [],
    });
  });

  it('does not trust an unknown code', () => {
    expect(toApiError({ code: 'EACCES', message: 'nope', help: 'try again' })).toMatchObject({
      code: 'internal',
      help: 'try again',
    });
  });

  it('never produces an empty message', () => {
    for (const weird of [undefined, null, 42, '', {}]) {
      const e = toApiError(weird);
      expect(e.code).toBe('internal');
      expect(e.message.length).toBeGreaterThan(0);
    }
  });
});
