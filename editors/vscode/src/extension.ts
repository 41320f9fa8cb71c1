// Entry point: wires the status bar, the commands and the server together, and follows settings.

import * as vscode from 'vscode';

import { registerCommands } from './commands';
import { RippleServer } from './server';
import type { ServerNotFoundError } from './serverPath';
import { affectsServerSettings, needsRestart, SECTION } from './settings';
import { ServerStatus } from './statusBar';

let server: RippleServer | undefined;

export function activate(context: vscode.ExtensionContext): void {
    const output = vscode.window.createOutputChannel('ripple');
    const status = new ServerStatus();
    server = new RippleServer(context.extensionPath, output, status, (error) => {
        void offerHelp(error, context);
    });
    const running = server;

    context.subscriptions.push(
        output,
        status,
        ...registerCommands(running, output),
        vscode.workspace.onDidChangeConfiguration((event) => {
            if (event.affectsConfiguration(SECTION)) {
                output.appendLine(`[client ${new Date().toISOString()}] ripple settings changed`);
            }
            if (needsRestart(event)) {
                void running.restart();
            } else if (affectsServerSettings(event)) {
                void running.sendSettings();
            }
            // ripple.trace.server is followed by vscode-languageclient itself.
        }),
        // Tasks run the workspace's commands: the server hears at once that it may.
        vscode.workspace.onDidGrantWorkspaceTrust(() => void running.sendSettings()),
    );

    // Not awaited: activation should not wait for the server to index the workspace.
    void running.start();
}

export async function deactivate(): Promise<void> {
    const stopping = server;
    server = undefined;
    await stopping?.dispose();
}

/** A missing server is the most likely first-run problem: say exactly what to do about it. */
async function offerHelp(error: ServerNotFoundError, context: vscode.ExtensionContext): Promise<void> {
    const openSettings = 'Open Settings';
    const howToInstall = 'How to Install';
    const advice = error.configured
        ? 'Correct the setting, or clear it to use the server shipped with the extension or ripple from PATH.'
        : 'Install ripple (`cargo install --path crates/ripple` in its repository) or set ripple.path to the executable.';
    const choice = await vscode.window.showErrorMessage(`ripple: ${error.message} ${advice}`, openSettings, howToInstall);
    if (choice === openSettings) {
        await vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.path`);
    } else if (choice === howToInstall) {
        await showReadme(context);
    }
}

async function showReadme(context: vscode.ExtensionContext): Promise<void> {
    try {
        // The extension's page shows its README, which has the installation steps.
        await vscode.commands.executeCommand('extension.open', context.extension.id);
    } catch {
        const readme = vscode.Uri.joinPath(context.extensionUri, 'README.md');
        await vscode.commands.executeCommand('markdown.showPreview', readme);
    }
}
