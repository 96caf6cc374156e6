// What the user can do about each error code. The UI branches on `code`, never on text.
import type { ErrorCode } from '../bindings/ErrorCode';

// A `Record` over the generated union: a new code on the Rust side fails the typecheck here.
const HINTS: Record<ErrorCode, string | null> = {
  workspace_not_found:
    'Choose a folder that contains mandate.toml, or create one with the command mandate init.',
  workspace_exists: 'That folder is already a Mandate workspace; open it instead.',
  config_invalid: 'Fix mandate.toml in the workspace folder; Mandate reloads it when you save.',
  io: 'Check that the folder still exists and that you can read and write it.',
  path_outside_workspace: 'A path typed in must be inside the workspace folder; choose anything else with the system dialog (Browse…).',
  store: 'The workspace database (.mandate/) could not be read or written.',
  busy: 'Another Mandate process (the app or the CLI) held the workspace database; try again in a moment.',
  policy_invalid: 'Open the Policies page to see every problem with its location.',
  watch: 'Changes made outside Mandate will not show until you reopen the workspace.',
  invalid_argument: null,
  inventory_invalid: 'Fix the fields marked below; nothing was saved.',
  not_found: 'It may have been renamed or deleted outside Mandate; the list shows what is on disk now.',
  lifecycle_refused: null,
  import_invalid: 'Fix the import file and try again; nothing was imported.',
  cancelled: null,
  review_refused: null,
  controls_invalid:
    'Each problem below says where it is: controls/controls.toml, a file under frameworks/, or a mapping you entered.',
  bundle_invalid:
    'The bundle was altered or is not a Mandate bundle: build it again rather than editing its files.',
  gate_failed: 'Each failed gate below says what to do; the gates checklist shows every gate.',
  key_refused: null,
  solver_unavailable:
    'Analysis needs an SMT solver: run `bash scripts/deps.sh` (it installs cvc5 1.4), or set `[analysis] solver` in mandate.toml.',
  edit_conflict:
    'Nothing was written. Reload the file to see the change made on disk, or save again to overwrite it with your version.',
  internal: 'This is a bug in Mandate. Please report it with the message above.',
};

export function hintFor(code: ErrorCode): string | null {
  return HINTS[code];
}

export function titleFor(code: ErrorCode): string {
  switch (code) {
    case 'workspace_not_found':
      return 'Not a Mandate workspace';
    case 'config_invalid':
      return 'mandate.toml has a problem';
    case 'policy_invalid':
      return 'A policy is invalid';
    case 'watch':
      return 'Not watching for changes';
    case 'inventory_invalid':
      return 'The inventory has a problem';
    case 'not_found':
      return 'Not found';
    case 'lifecycle_refused':
      return 'Lifecycle change refused';
    case 'import_invalid':
      return 'The import has a problem';
    case 'cancelled':
      return 'Cancelled';
    case 'review_refused':
      return 'Refused by the review';
    case 'controls_invalid':
      return 'The controls have a problem';
    case 'bundle_invalid':
      return 'The bundle does not verify';
    case 'gate_failed':
      return 'Not published: a gate failed';
    case 'key_refused':
      return 'Refused by the key check';
    case 'solver_unavailable':
      return 'No SMT solver for the analysis';
    case 'edit_conflict':
      return 'Changed on disk since it was opened';
    default:
      return 'Something went wrong';
  }
}
