// The commands in the palette, and the read-only document that shows statistics.

import * as vscode from 'vscode';

import type { RippleServer } from './server';

const STATS_SCHEME = 'ripple-stats';
const STATS_URI = vscode.Uri.from({ scheme: STATS_SCHEME, path: '/ripple-statistics.json' });

/**
 * Statistics are shown as a virtual JSON document: read-only, refreshed in place on every
 * request, and never asking to be saved when closed.
 */
class StatisticsDocument implements vscode.TextDocumentContentProvider {
    private content = '{}\n';
    private readonly changes = new vscode.EventEmitter<vscode.Uri>();
    readonly onDidChange = this.changes.event;

    provideTextDocumentContent(): string {
        return this.content;
    }

    update(stats: unknown): void {
        this.content = `${JSON.stringify(stats, null, 2)}\n`;
        this.changes.fire(STATS_URI);
    }

    dispose(): void {
        this.changes.dispose();
    }
}

export function registerCommands(server: RippleServer, output: vscode.OutputChannel): vscode.Disposable[] {
    const statistics = new StatisticsDocument();
    return [
        statistics,
        vscode.workspace.registerTextDocumentContentProvider(STATS_SCHEME, statistics),
        vscode.commands.registerCommand('ripple.restartServer', () => server.restart()),
        vscode.commands.registerCommand('ripple.showLogs', () => output.show(true)),
        vscode.commands.registerCommand('ripple.showStatistics', async () => {
            let stats: unknown;
            try {
                stats = await server.stats();
            } catch (error) {
                const choice = await vscode.window.showErrorMessage(
                    `ripple: no statistics: ${error instanceof Error ? error.message : String(error)}.`,
                    'Restart Server',
                    'Show Logs',
                );
                if (choice === 'Restart Server') {
                    await server.restart();
                } else if (choice === 'Show Logs') {
                    output.show(true);
                }
                return;
            }
            statistics.update(stats);
            const document = await vscode.workspace.openTextDocument(STATS_URI);
            await vscode.window.showTextDocument(document, { preview: true });
        }),
    ];
}
