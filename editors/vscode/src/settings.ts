// The extension's settings, and which of them the server sees.

import * as vscode from 'vscode';

export const SECTION = 'ripple';

export type DiagnosticMode = 'open-files' | 'workspace';
export type LogLevel = 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** The settings the server reads, in initializationOptions and workspace/didChangeConfiguration. */
export interface ServerSettings {
    diagnosticMode?: DiagnosticMode;
    /**
     * Whether the workspace's tasks (`[tasks.NAME]` in ripple.toml) may run: false in a
     * workspace VS Code does not trust. In a trusted one the server still asks once per task
     * table, as `ripple trust` does on the command line.
     */
    tasks: boolean;
}

export function configuredServerPath(): string {
    return vscode.workspace.getConfiguration(SECTION).get<string>('path', '');
}

export function logLevel(): LogLevel {
    return vscode.workspace.getConfiguration(SECTION).get<LogLevel>('logLevel', 'warn');
}

/**
 * The RIPPLE_LOG filter for a level. Above `warn` only ripple's own crates get the level: salsa
 * logs every query execution at `info`, which would bury what ripple says.
 */
export function logFilter(level: LogLevel): string {
    return level === 'error' || level === 'warn' ? level : `warn,ripple=${level}`;
}

/**
 * Only values the user actually set are sent: the server's own configuration (`diagnostic-mode`
 * in ripple.toml) must win over the extension's defaults, or it could never take effect in VS Code.
 */
export function serverSettings(): ServerSettings {
    const inspected = vscode.workspace.getConfiguration(SECTION).inspect<DiagnosticMode>('diagnosticMode');
    const diagnosticMode = inspected?.workspaceFolderValue ?? inspected?.workspaceValue ?? inspected?.globalValue;
    const tasks = vscode.workspace.isTrusted;
    return diagnosticMode === undefined ? { tasks } : { diagnosticMode, tasks };
}

/** Settings read only when the server starts, so a change to them needs a restart. */
export function needsRestart(event: vscode.ConfigurationChangeEvent): boolean {
    return event.affectsConfiguration(`${SECTION}.path`) || event.affectsConfiguration(`${SECTION}.logLevel`);
}

/** Settings the running server takes through workspace/didChangeConfiguration. */
export function affectsServerSettings(event: vscode.ConfigurationChangeEvent): boolean {
    return event.affectsConfiguration(`${SECTION}.diagnosticMode`);
}

export function firstWorkspaceFolder(): string | undefined {
    return vscode.workspace.workspaceFolders?.find((folder) => folder.uri.scheme === 'file')?.uri.fsPath;
}
