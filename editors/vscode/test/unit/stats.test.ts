// How `ripple/stats` and progress messages are shown in the status bar.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { formatBytes, shortProgress, statsMarkdownTable, statsRows, statsSummary } from '../../src/stats';

describe('statistics', () => {
    const stats = {
        files: 3,
        openDocuments: 1,
        queries: { analysis: 3, diagnostics: 4 },
        lastEditQueries: { analysis: 1 },
        parses: { full: 3, incremental: 0 },
        lastEditLatencyMs: 1.234,
        edits: 5,
        workspaceLoads: 1,
        memoryBytes: 12 * 1024 * 1024,
    };

    test('every known field becomes a row, queries summed', () => {
        assert.deepEqual(statsRows(stats), [
            ['Files indexed', '3'],
            ['Open documents', '1'],
            ['Edits', '5'],
            ['Last edit latency', '1.2 ms'],
            ['Queries run (last edit)', '1'],
            ['Queries run (total)', '7'],
            ['Parses', '3'],
            ['Workspace loads', '1'],
            ['Memory', '12.0 MiB'],
        ]);
    });

    test('missing and null fields are left out', () => {
        assert.deepEqual(statsRows({ files: 0, lastEditLatencyMs: null, memoryBytes: null }), [['Files indexed', '0']]);
        assert.match(statsMarkdownTable({}), /no statistics/);
    });

    test('the table is Markdown', () => {
        const table = statsMarkdownTable(stats).split('\n');
        assert.equal(table[1], '|---|---:|');
        assert.equal(table[2], '| Files indexed | 3 |');
    });

    test('the summary counts files', () => {
        assert.equal(statsSummary(stats), '3 files');
        assert.equal(statsSummary({ files: 1 }), '1 file');
        assert.equal(statsSummary({}), '');
    });

    test('bytes', () => {
        assert.equal(formatBytes(512), '512 B');
        assert.equal(formatBytes(1536), '1.5 KiB');
        assert.equal(formatBytes(3 * 1024 ** 3), '3.0 GiB');
    });
});

describe('progress', () => {
    test('keeps the count and drops the time estimate', () => {
        assert.equal(shortProgress('120/2800 files, about 3 s left', 4), '120/2800 files');
        assert.equal(shortProgress('0/10 files', 0), '0/10 files');
    });

    test('falls back to the percentage', () => {
        assert.equal(shortProgress(undefined, 42.4), '42%');
        assert.equal(shortProgress('', undefined), '');
    });
});
