// `IBackend` over Tauri IPC: one `invoke` per Rust command, one event for file changes.
//
// This folder is the only place allowed to import `@tauri-apps/*` (ESLint enforces it).
// Command names and snake_case argument names must match `src-tauri`.
import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import { open } from '@tauri-apps/plugin-dialog';
import type { AddedPolicies } from '../bindings/AddedPolicies';
import type { Agent } from '../bindings/Agent';
import type { AuditEntry } from '../bindings/AuditEntry';
import type { Change } from '../bindings/Change';
import type { ControlsView } from '../bindings/ControlsView';
import type { Diagnostic } from '../bindings/Diagnostic';
import type { InventoryView } from '../bindings/InventoryView';
import type { Lifecycle } from '../bindings/Lifecycle';
import type { SchemaOutline } from '../bindings/SchemaOutline';
import type { TestRequest } from '../bindings/TestRequest';
import type { TestResult } from '../bindings/TestResult';
import type { ValidationReport } from '../bindings/ValidationReport';
import type { WorkspaceInfo } from '../bindings/WorkspaceInfo';
import { toApiError, type IBackend } from './types';

/** The event `src-tauri` emits with a `Change[]` payload after the watcher debounces. */
export const WORKSPACE_CHANGED_EVENT = 'workspace-changed';

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw toApiError(e);
  }
}

export class TauriBackend implements IBackend {
  currentWorkspace(): Promise<WorkspaceInfo | null> {
    return call<WorkspaceInfo | null>('current_workspace');
  }

  openWorkspace(path: string): Promise<WorkspaceInfo> {
    return call<WorkspaceInfo>('open_workspace', { path });
  }

  async pickWorkspaceFolder(): Promise<string | null> {
    try {
      return await open({ directory: true, multiple: false, title: 'Open a Mandate workspace' });
    } catch (e) {
      throw toApiError(e);
    }
  }

  validateWorkspace(): Promise<ValidationReport> {
    return call<ValidationReport>('validate_workspace');
  }

  listAudit(limit: number): Promise<AuditEntry[]> {
    return call<AuditEntry[]>('list_audit', { limit });
  }

  inventory(): Promise<InventoryView> {
    return call<InventoryView>('inventory');
  }

  validateAgentDraft(agent: Agent, create: boolean): Promise<Diagnostic[]> {
    return call<Diagnostic[]>('validate_agent_draft', { agent, create });
  }

  saveAgent(agent: Agent, create: boolean): Promise<Agent> {
    return call<Agent>('save_agent', { agent, create });
  }

  agentLifecycle(id: string, to: Lifecycle, reason: string): Promise<Agent> {
    return call<Agent>('agent_lifecycle', { id, to, reason });
  }

  actingIdentity(): Promise<string> {
    return call<string>('acting_identity');
  }

  readPolicyFile(path: string): Promise<string> {
    return call<string>('read_policy_file', { path });
  }

  savePolicyFile(path: string, text: string): Promise<void> {
    return call<void>('save_policy_file', { path, text });
  }

  validatePolicyBuffer(path: string, text: string): Promise<Diagnostic[]> {
    return call<Diagnostic[]>('validate_policy_buffer', { path, text });
  }

  formatPolicyText(text: string): Promise<string> {
    return call<string>('format_policy_text', { text });
  }

  schemaOutline(): Promise<SchemaOutline> {
    return call<SchemaOutline>('schema_outline');
  }

  testRequest(request: TestRequest): Promise<TestResult> {
    return call<TestResult>('test_request', { request });
  }

  controls(): Promise<ControlsView> {
    return call<ControlsView>('controls');
  }

  addControlPolicies(control: string): Promise<AddedPolicies> {
    return call<AddedPolicies>('add_control_policies', { control });
  }

  async onWorkspaceChanged(cb: (changes: Change[]) => void): Promise<() => void> {
    try {
      return await listen<Change[]>(WORKSPACE_CHANGED_EVENT, (event) => cb(event.payload));
    } catch (e) {
      throw toApiError(e);
    }
  }
}
