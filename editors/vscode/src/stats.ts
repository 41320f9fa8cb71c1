// The `ripple/stats` answer and how it is shown. No `vscode` import, so it is unit-testable.

export const STATS_REQUEST = 'ripple/stats';

/** What `ripple/stats` returns. Every field is optional: older servers send fewer. */
export interface ServerStats {
    files?: number;
    openDocuments?: number;
    queries?: Record<string, number>;
    lastEditQueries?: Record<string, number>;
    parses?: { full?: number; incremental?: number };
    lastEditLatencyMs?: number | null;
    edits?: number;
    workspaceLoads?: number;
    memoryBytes?: number | null;
}

export function formatBytes(bytes: number): string {
    const units = ['B', 'KiB', 'MiB', 'GiB'];
    let value = bytes;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
        value /= 1024;
        unit += 1;
    }
    return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

function sum(counts: Record<string, number> | undefined): number | undefined {
    if (counts === undefined) {
        return undefined;
    }
    return Object.values(counts).reduce((total, count) => total + count, 0);
}

/** Label and value pairs, in the order a person reads them; unknown values are left out. */
export function statsRows(stats: ServerStats): [string, string][] {
    const rows: [string, string][] = [];
    const add = (label: string, value: string | undefined) => {
        if (value !== undefined) {
            rows.push([label, value]);
        }
    };
    add('Files indexed', stats.files?.toString());
    add('Open documents', stats.openDocuments?.toString());
    add('Edits', stats.edits?.toString());
    add(
        'Last edit latency',
        stats.lastEditLatencyMs === undefined || stats.lastEditLatencyMs === null
            ? undefined
            : `${stats.lastEditLatencyMs.toFixed(1)} ms`,
    );
    add('Queries run (last edit)', sum(stats.lastEditQueries)?.toString());
    add('Queries run (total)', sum(stats.queries)?.toString());
    add('Parses', stats.parses?.full === undefined ? undefined : stats.parses.full.toString());
    add('Workspace loads', stats.workspaceLoads?.toString());
    add(
        'Memory',
        stats.memoryBytes === undefined || stats.memoryBytes === null ? undefined : formatBytes(stats.memoryBytes),
    );
    return rows;
}

/** A Markdown table for the status bar tooltip. */
export function statsMarkdownTable(stats: ServerStats): string {
    const rows = statsRows(stats);
    if (rows.length === 0) {
        return '_The server reported no statistics._';
    }
    return ['| | |', '|---|---:|', ...rows.map(([label, value]) => `| ${label} | ${value} |`)].join('\n');
}

/** The short form for the status bar text itself. */
export function statsSummary(stats: ServerStats): string {
    return stats.files === undefined ? '' : `${stats.files} ${stats.files === 1 ? 'file' : 'files'}`;
}

/**
 * The first clause of a progress message: the server sends "120/2800 files, about 3 s left",
 * and the status bar has room for "120/2800 files" only.
 */
export function shortProgress(message: string | undefined, percentage: number | undefined): string {
    const first = message?.split(',')[0]?.trim();
    if (first) {
        return first;
    }
    return percentage === undefined ? '' : `${Math.round(percentage)}%`;
}
