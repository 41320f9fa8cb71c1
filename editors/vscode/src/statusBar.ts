// The status bar item: what the server is doing now, and how to get more.

import * as vscode from 'vscode';
import type { WorkDoneProgressBegin, WorkDoneProgressEnd, WorkDoneProgressReport } from 'vscode-languageclient';

import { type ServerStats, shortProgress, statsMarkdownTable, statsSummary } from './stats';

type ProgressValue = WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd;

interface RunningTask {
    title: string;
    message?: string;
    percentage?: number;
}

type State =
    | { kind: 'starting'; detail: string }
    | { kind: 'ready'; stats?: ServerStats }
    | { kind: 'problem'; summary: string; detail: string }
    | { kind: 'stopped' };

export class ServerStatus implements vscode.Disposable {
    private readonly item: vscode.StatusBarItem;
    private state: State = { kind: 'stopped' };
    private serverVersion: string | undefined;
    // Several progress tokens can be open at once (indexing, then a big re-check); the newest
    // one is shown, and the item falls back to the underlying state when all have ended.
    private readonly tasks = new Map<string, RunningTask>();

    constructor() {
        this.item = vscode.window.createStatusBarItem('ripple.status', vscode.StatusBarAlignment.Left, 10);
        this.item.name = 'ripple';
        this.render();
        this.item.show();
    }

    starting(detail: string): void {
        this.tasks.clear();
        this.serverVersion = undefined;
        this.state = { kind: 'starting', detail };
        this.render();
    }

    ready(serverVersion: string | undefined, stats?: ServerStats): void {
        this.serverVersion = serverVersion ?? this.serverVersion;
        this.state = { kind: 'ready', stats };
        this.render();
    }

    /** New statistics for the tooltip; ignored unless the server is up. */
    updateStats(stats: ServerStats): void {
        if (this.state.kind === 'ready') {
            this.state = { kind: 'ready', stats };
            this.render();
        }
    }

    problem(summary: string, detail: string): void {
        this.tasks.clear();
        this.state = { kind: 'problem', summary, detail };
        this.render();
    }

    stopped(): void {
        this.tasks.clear();
        this.state = { kind: 'stopped' };
        this.render();
    }

    get isReady(): boolean {
        return this.state.kind === 'ready';
    }

    /** Follows one `$/progress` notification of the server. */
    progress(token: string | number, value: ProgressValue): void {
        const key = String(token);
        switch (value.kind) {
            case 'begin':
                this.tasks.set(key, { title: value.title, message: value.message, percentage: value.percentage });
                break;
            case 'report': {
                const task = this.tasks.get(key);
                if (task !== undefined) {
                    task.message = value.message ?? task.message;
                    task.percentage = value.percentage ?? task.percentage;
                }
                break;
            }
            case 'end':
                this.tasks.delete(key);
                break;
        }
        this.render();
    }

    get busy(): boolean {
        return this.tasks.size > 0;
    }

    private render(): void {
        const item = this.item;
        item.backgroundColor = undefined;
        const task = [...this.tasks.values()].at(-1);
        if (task !== undefined && this.state.kind !== 'problem') {
            const what = task.title.replace(/^ripple:\s*/, '');
            const short = shortProgress(task.message, task.percentage);
            item.text = `$(sync~spin) ripple: ${what}${short ? ` ${short}` : ''}`;
            item.tooltip = `${task.title}${task.message ? `\n${task.message}` : ''}`;
            item.accessibilityInformation = { label: `ripple: ${what} ${short}`.trim() };
            item.command = 'ripple.showLogs';
            return;
        }
        switch (this.state.kind) {
            case 'starting':
                item.text = '$(sync~spin) ripple';
                item.tooltip = `ripple: starting\n${this.state.detail}`;
                item.accessibilityInformation = { label: 'ripple: starting' };
                item.command = 'ripple.showLogs';
                break;
            case 'ready': {
                const stats = this.state.stats;
                const summary = stats === undefined ? '' : statsSummary(stats);
                item.text = `$(check) ripple${summary ? `: ${summary}` : ''}`;
                const tooltip = new vscode.MarkdownString(
                    `**ripple${this.serverVersion ? ` ${this.serverVersion}` : ''}**: ready\n\n`,
                );
                tooltip.appendMarkdown(stats === undefined ? 'Collecting statistics…' : statsMarkdownTable(stats));
                tooltip.appendMarkdown('\n\nClick for all statistics.');
                item.tooltip = tooltip;
                item.accessibilityInformation = { label: `ripple: ready${summary ? `, ${summary}` : ''}` };
                item.command = 'ripple.showStatistics';
                break;
            }
            case 'problem':
                item.text = '$(error) ripple';
                item.tooltip = `ripple: ${this.state.summary}\n${this.state.detail}\n\nClick for the logs.`;
                item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
                item.accessibilityInformation = { label: `ripple: problem: ${this.state.summary}` };
                item.command = 'ripple.showLogs';
                break;
            case 'stopped':
                item.text = '$(circle-slash) ripple';
                item.tooltip = 'ripple: the server is not running. Click to start it.';
                item.accessibilityInformation = { label: 'ripple: stopped' };
                item.command = 'ripple.restartServer';
                break;
        }
    }

    dispose(): void {
        this.item.dispose();
    }
}
