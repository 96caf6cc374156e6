import { describe, expect, it } from 'vitest';
import { schemaOutline } from '../../test/fakeBackend';
import { contextFields, entityAttributes, policyScopeAt, statementAt } from './scope';

const outline = schemaOutline();
const names = (xs: { name: string }[]) => xs.map((x) => x.name).sort();

const FILE = `// credentials; not "a; string"
@id("creds")
permit (
  principal is Acme::Agent,
  action == Acme::Action::"request_credential",
  resource
) when { context.ttl_seconds < 300 && principal. };

@id("tools; with semicolon")
forbid (principal, action in [Acme::Action::"invoke_tool", Acme::Action::"request_credential"], resource is Acme::Tool)
when { context. };

permit (principal == Acme::Team::"billing", action, resource) when { context. };
`;

const cursorAfter = (needle: string, nth = 0) => {
  let i = -1;
  for (let k = 0; k <= nth; k++) i = FILE.indexOf(needle, i + 1);
  return i + needle.length;
};

describe('statementAt', () => {
  it('ends statements at `;` outside strings and comments', () => {
    const { from, to } = statementAt(FILE, cursorAfter('tools;'));
    expect(FILE.slice(from, to)).toContain('@id("tools; with semicolon")');
    expect(FILE.slice(from, to).trim().endsWith('when { context. };')).toBe(true);
  });
});

describe('policyScopeAt', () => {
  it('reads `principal is` and `action ==`', () => {
    const scope = policyScopeAt(FILE, cursorAfter('principal. '.slice(0, 10)));
    expect(scope.principalType).toBe('Acme::Agent');
    expect(scope.actions).toEqual(['Acme::Action::"request_credential"']);
    expect(scope.resourceType).toBeNull();
  });

  it('a request_credential policy completes exactly its context fields', () => {
    const scope = policyScopeAt(FILE, cursorAfter('context.ttl'));
    expect(names(contextFields(outline, scope))).toEqual(['attested', 'ttl_seconds']);
  });

  it('`principal is Acme::Agent` completes Agent attributes', () => {
    const scope = policyScopeAt(FILE, cursorAfter('principal.'));
    expect(names(entityAttributes(outline, scope, 'principal'))).toEqual(['owner_team', 'risk_tier']);
  });

  it('`action in [...]` gives the union and `resource is` narrows resource', () => {
    const scope = policyScopeAt(FILE, cursorAfter('context.', 1));
    expect(scope.actions).toHaveLength(2);
    expect(names(contextFields(outline, scope))).toEqual(['attested', 'step_up', 'ttl_seconds']);
    expect(names(entityAttributes(outline, scope, 'resource'))).toEqual(['sensitivity']);
  });

  it('an unconstrained action gives every action’s context; `principal ==` gives its type', () => {
    const scope = policyScopeAt(FILE, cursorAfter('context.', 2));
    expect(scope.actions).toBeNull();
    expect(scope.principalType).toBe('Acme::Team');
    expect(names(contextFields(outline, scope))).toEqual(['attested', 'step_up', 'ttl_seconds']);
    expect(names(entityAttributes(outline, { ...scope, principalType: null }, 'principal'))).toEqual([
      'owner_team',
      'risk_tier',
      'sensitivity',
    ]);
  });
});
