// A test double of the backend *interface* for Vitest: canned answers, recorded calls,
// and `emitChange` to play the file watcher. Never used by the app itself.
import type { ApiError } from '../bindings/ApiError';
import type { AuditEntry } from '../bindings/AuditEntry';
import type { Change } from '../bindings/Change';
import type { Diagnostic } from '../bindings/Diagnostic';
import type { PolicyFile } from '../bindings/PolicyFile';
import type { ValidationReport } from '../bindings/ValidationReport';
import type { WorkspaceInfo } from '../bindings/WorkspaceInfo';
import type { IBackend } from '../backend';

export class FakeBackend implements IBackend {
  workspace: WorkspaceInfo | null = null;
  report: ValidationReport = report([]);
  audit: AuditEntry[] = [];
  pickResult: string | null = null;
  /** When set, `openWorkspace` rejects with it. */
  openError: ApiError | null = null;
  /** When set, `validateWorkspace` rejects with it. */
  validateError: ApiError | null = null;

  calls = { validate: 0, open: [] as string[], listAudit: [] as number[] };
  private listeners = new Set<(changes: Change[]) => void>();

  currentWorkspace(): Promise<WorkspaceInfo | null> {
    return Promise.resolve(this.workspace);
  }

  async openWorkspace(path: string): Promise<WorkspaceInfo> {
    await Promise.resolve();
    this.calls.open.push(path);
    if (this.openError) throw this.openError;
    this.workspace = workspace({ root: path, name: path.split('/').pop() ?? path });
    return this.workspace;
  }

  pickWorkspaceFolder(): Promise<string | null> {
    return Promise.resolve(this.pickResult);
  }

  async validateWorkspace(): Promise<ValidationReport> {
    await Promise.resolve();
    this.calls.validate++;
    if (this.validateError) throw this.validateError;
    return this.report;
  }

  listAudit(limit: number): Promise<AuditEntry[]> {
    this.calls.listAudit.push(limit);
    return Promise.resolve(this.audit.slice(0, limit));
  }

  onWorkspaceChanged(cb: (changes: Change[]) => void): Promise<() => void> {
    this.listeners.add(cb);
    return Promise.resolve(() => {
      this.listeners.delete(cb);
    });
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  emitChange(changes: Change[]): void {
    for (const cb of this.listeners) cb(changes);
  }
}

export function workspace(over: Partial<WorkspaceInfo> = {}): WorkspaceInfo {
  return {
    root: '/home/ana/acme-governance',
    name: 'acme-governance',
    namespace: 'Acme',
    schema_mode: 'generated',
    has_schema: true,
    ...over,
  };
}

export function diagnostic(over: Partial<Diagnostic> = {}): Diagnostic {
  return {
    file: 'policies/a.cedar',
    line: 1,
    column: 1,
    end_line: 1,
    end_column: 2,
    severity: 'error',
    code: 'cedar::parse',
    message: 'unexpected token `permt`',
    help: null,
    ...over,
  };
}

export function policyFile(path: string, ids: string[], over: Partial<PolicyFile> = {}): PolicyFile {
  return {
    path,
    policies: ids.map((id, i) => ({
      id,
      kind: 'permit',
      line: 1 + i * 6,
      control: null,
      rationale: null,
    })),
    error_count: 0,
    warning_count: 0,
    ...over,
  };
}

/** A report whose counts agree with its files and diagnostics. */
export function report(files: PolicyFile[], diagnostics: Diagnostic[] = [], schemaUsed = true): ValidationReport {
  return {
    files,
    diagnostics,
    error_count: diagnostics.filter((d) => d.severity === 'error').length,
    warning_count: diagnostics.filter((d) => d.severity === 'warning').length,
    policy_count: files.reduce((n, f) => n + f.policies.length, 0),
    schema_used: schemaUsed,
  };
}
