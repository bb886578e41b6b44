/**
 * Restricted mode in the client. The workspace file can run programs (trial commands) and
 * attach to processes (profiling), so those commands ask for a trusted workspace first; the
 * server refuses them too (server/src/trust.ts). The trust state is read at every call, so
 * after the user trusts the folder everything works without a reload.
 */
import * as vscode from 'vscode';

export const MANAGE_TRUST = 'Manage Workspace Trust';

/**
 * True when the workspace is trusted; otherwise false at once, and a warning (not awaited,
 * so a command never hangs on it) that says what needs trust and why, with a button that
 * opens VS Code's trust editor (`workbench.trust.manage`).
 */
export function requireTrust(what: string, why: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window.showWarningMessage(`${what} ${why}, which this restricted workspace does not allow. Trust the folder to do it.`, MANAGE_TRUST).then(openTrustEditorIf);
  return false;
}

function openTrustEditorIf(pick: string | undefined): void {
  if (pick === MANAGE_TRUST) void vscode.commands.executeCommand('workbench.trust.manage');
}

/** Said when monitoring is started by hand in restricted mode: what still works and what does not. */
export function restrictedMonitoringNotice(): void {
  void vscode.window
    .showInformationMessage(
      'Restricted mode: ALL-USE monitors only processes that already run and never starts one; a `start` command in alluse-perf.yaml is not run. Profiling and tuning studies need a trusted workspace.',
      MANAGE_TRUST,
    )
    .then(openTrustEditorIf);
}
