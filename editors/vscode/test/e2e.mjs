#!/usr/bin/env node
// End-to-end test: the packaged extension in a real VS Code (code-server), driven through its
// UI by headless Chromium. It reads what a person would see: squiggles, the Problems panel, the
// status bar. Run by scripts/test.sh, which sets up everything named in the environment:
//
//   CODE_SERVER  the code-server executable      VSIX        the extension package to install
//   RIPPLE_BIN   the ripple server to use        RESULTS_DIR screenshots, logs (default test-results/)
//   CHROMIUM     the browser (/usr/bin/chromium) E2E_WAIT_MS the longest wait for one thing (90000)
//
// Everything code-server writes goes to RESULTS_DIR/run, recreated on every run.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const extensionDir = path.resolve(here, '..');
const fixture = path.join(here, 'fixture');

function required(name) {
    const value = process.env[name];
    if (!value) {
        throw new Error(`${name} is not set (scripts/test.sh sets it)`);
    }
    return path.resolve(value);
}

const codeServer = required('CODE_SERVER');
const vsix = required('VSIX');
const rippleBin = required('RIPPLE_BIN');
const results = path.resolve(process.env.RESULTS_DIR ?? path.join(extensionDir, 'test-results'));
const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
// Generous: the machine that runs this may be slow and busy. Nothing waits this long when all is well.
const WAIT_MS = Number(process.env.E2E_WAIT_MS ?? 90_000);

const run = path.join(results, 'run');
const dirs = {
    userData: path.join(run, 'user-data'),
    extensions: path.join(run, 'extensions'),
    browserProfile: path.join(run, 'browser-profile'),
    tmp: path.join(run, 'tmp'),
    xdgConfig: path.join(run, 'xdg', 'config'),
    xdgCache: path.join(run, 'xdg', 'cache'),
    xdgData: path.join(run, 'xdg', 'data'),
    xdgState: path.join(run, 'xdg', 'state'),
    workspace: path.join(run, 'workspace'),
};
const configFile = path.join(run, 'config.yaml');
const settingsFile = path.join(dirs.userData, 'User', 'settings.json');

// code-server writes under ~/.config, ~/.cache and ~/.local/share unless told otherwise.
const codeServerEnv = {
    ...process.env,
    TMPDIR: dirs.tmp,
    XDG_CONFIG_HOME: dirs.xdgConfig,
    XDG_CACHE_HOME: dirs.xdgCache,
    XDG_DATA_HOME: dirs.xdgData,
    XDG_STATE_HOME: dirs.xdgState,
};
const codeServerDirArgs = [
    '--config', configFile,
    '--user-data-dir', dirs.userData,
    '--extensions-dir', dirs.extensions,
];

/** Settings that keep VS Code from doing anything on its own that the test did not ask for. */
function userSettings() {
    return {
        // code-server gives the extension host a login shell's PATH, so the server is named here.
        'ripple.path': path.join(run, 'bin', 'ripple'),
        'ripple.logLevel': 'info',
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'workbench.enableExperiments': false,
        'security.workspace.trust.enabled': false,
        'telemetry.telemetryLevel': 'off',
        'update.mode': 'none',
        'extensions.autoUpdate': false,
        'extensions.autoCheckUpdates': false,
        'extensions.ignoreRecommendations': true,
        'chat.commandCenter.enabled': false,
        // The run folder lies inside ripple's repository; git would offer to open it.
        'git.enabled': false,
        'git.openRepositoryInParentFolders': 'never',
        'files.autoSave': 'off',
        // Typing must produce exactly the keys typed: no completions accepted by Enter, no
        // closing quotes added.
        'editor.quickSuggestions': { other: false, comments: false, strings: false },
        'editor.suggestOnTriggerCharacters': false,
        'editor.acceptSuggestionOnEnter': 'off',
        'editor.autoClosingQuotes': 'never',
        'editor.autoClosingBrackets': 'never',
        'editor.minimap.enabled': false,
    };
}

function writeSettings() {
    fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
    fs.writeFileSync(settingsFile, JSON.stringify(userSettings(), null, 2));
}

function prepareRunFolder() {
    fs.rmSync(run, { recursive: true, force: true });
    for (const dir of Object.values(dirs)) {
        fs.mkdirSync(dir, { recursive: true });
    }
    // The test edits its files, so it works on a copy of the fixture.
    fs.cpSync(fixture, dirs.workspace, { recursive: true });
    // A copy of the server, so a rebuild of RIPPLE_BIN during the run cannot swap it underneath.
    fs.mkdirSync(path.join(run, 'bin'));
    fs.copyFileSync(rippleBin, path.join(run, 'bin', 'ripple'));
    fs.chmodSync(path.join(run, 'bin', 'ripple'), 0o755);
    fs.writeFileSync(configFile, 'auth: none\n');
    writeSettings();
}

function installExtension() {
    const install = spawnSync(codeServer, [...codeServerDirArgs, '--install-extension', vsix], {
        env: codeServerEnv,
        encoding: 'utf8',
        timeout: WAIT_MS,
    });
    const output = `${install.stdout ?? ''}${install.stderr ?? ''}`;
    if (install.status !== 0 || !/successfully installed/i.test(output)) {
        throw new Error(`code-server --install-extension failed (status ${install.status}):\n${output}`);
    }
}

async function freePort() {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
            const { port } = server.address();
            server.close(() => resolve(port));
        });
    });
}

/** Polls `probe` until it returns something truthy; the last error or value explains a timeout. */
async function waitFor(description, probe, timeoutMs = WAIT_MS) {
    const deadline = Date.now() + timeoutMs;
    let last = 'nothing yet';
    for (;;) {
        try {
            const value = await probe();
            if (value) {
                return value;
            }
            last = `last seen: ${JSON.stringify(value)}`;
        } catch (error) {
            last = `last error: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
        }
        if (Date.now() > deadline) {
            throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${description} (${last})`);
        }
        await delay(250);
    }
}

async function startCodeServer(port) {
    const log = fs.openSync(path.join(results, 'code-server.log'), 'w');
    const child = spawn(
        codeServer,
        [
            ...codeServerDirArgs,
            '--bind-addr', `127.0.0.1:${port}`,
            '--auth', 'none',
            '--disable-telemetry',
            '--disable-update-check',
            '--disable-workspace-trust',
            '--disable-getting-started-override',
        ],
        { env: codeServerEnv, stdio: ['ignore', log, log], detached: true },
    );
    let exited = null;
    child.on('exit', (code, signal) => {
        exited = `code-server exited (${code ?? signal}); see ${path.join(results, 'code-server.log')}`;
    });
    await waitFor('code-server to answer /healthz', async () => {
        if (exited) {
            throw new Error(exited);
        }
        const response = await fetch(`http://127.0.0.1:${port}/healthz`);
        return response.ok;
    });
    return child;
}

function stopCodeServer(child) {
    if (child.exitCode === null && child.signalCode === null) {
        try {
            process.kill(-child.pid, 'SIGTERM'); // its own process group: the extension host and ripple too
        } catch {
            child.kill('SIGTERM');
        }
    }
}

// ---- Reading the workbench -------------------------------------------------------------------

/** The aria-label of ripple's status bar item, e.g. "ripple: ready, 3 files". */
async function rippleStatus(page) {
    const labels = await page.$$eval('#workbench\\.parts\\.statusbar .statusbar-item', (items) =>
        items.map((item) => item.getAttribute('aria-label') ?? ''),
    );
    return labels.find((label) => label.startsWith('ripple'));
}

/** Records every label the status item shows, so short-lived states (starting) are not missed. */
async function recordStatusHistory(page) {
    await page.evaluate(() => {
        const history = [];
        window.rippleStatusHistory = history;
        const record = () => {
            for (const item of document.querySelectorAll('#workbench\\.parts\\.statusbar .statusbar-item')) {
                const label = item.getAttribute('aria-label') ?? '';
                if (label.startsWith('ripple') && history.at(-1) !== label) {
                    history.push(label);
                }
            }
        };
        record();
        new MutationObserver(record).observe(document.body, {
            subtree: true,
            childList: true,
            attributes: true,
            attributeFilter: ['aria-label'],
        });
    });
}

async function statusHistory(page) {
    return page.evaluate(() => window.rippleStatusHistory ?? []);
}

async function problemRows(page) {
    return page.$$eval('.markers-panel .monaco-list-row', (rows) =>
        rows.map((row) => row.getAttribute('aria-label') ?? ''),
    );
}

/** Brings the Problems panel to the front; its key binding toggles, so only when it is hidden. */
async function showProblems(page) {
    const panel = page.locator('.markers-panel');
    if (!(await panel.isVisible())) {
        await page.keyboard.press('Control+Shift+M');
    }
    await panel.waitFor({ state: 'visible' });
}

async function squiggles(page, kind) {
    return page.locator(`.monaco-editor .squiggly-${kind}`).count();
}

/** The text of the active editor, as rendered (lines joined with newlines). */
async function activeEditorText(page) {
    return page.$$eval('.editor-group-container.active .monaco-editor .view-line', (lines) =>
        lines
            .map((line) => ({ top: parseFloat(line.style.top) || 0, text: line.textContent ?? '' }))
            .sort((a, b) => a.top - b.top)
            .map((line) => line.text.replace(/\u00a0/g, ' '))
            .join('\n'),
    );
}

async function visibleNotifications(page) {
    return page.$$eval('.notification-list-item-message', (items) => items.map((item) => item.textContent ?? ''));
}

/** Pids of the ripple servers started from this run's copy of the binary. */
function rippleServerPids() {
    const binary = path.join(run, 'bin', 'ripple');
    const pids = [];
    for (const entry of fs.readdirSync('/proc')) {
        if (!/^\d+$/.test(entry)) {
            continue;
        }
        try {
            const argv = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
            if (argv[0] === binary && argv[1] === 'lsp') {
                pids.push(Number(entry));
            }
        } catch {
            // The process ended while being looked at.
        }
    }
    return pids;
}

async function runCommand(page, title) {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: WAIT_MS });
    await input.fill(`>${title}`);
    // Enter picks the first row: wait for the row that is exactly this command to be first.
    await waitFor(`the command palette to offer "${title}"`, async () => {
        const first = await page
            .locator('.quick-input-list .monaco-list-row')
            .first()
            .getAttribute('aria-label', { timeout: 1000 });
        return first?.startsWith(title);
    });
    await page.keyboard.press('Enter');
    await input.waitFor({ state: 'hidden', timeout: WAIT_MS });
}

async function openFile(page, name) {
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: WAIT_MS });
    await input.fill(name);
    await waitFor(`quick open to find ${name}`, async () => {
        const first = await page
            .locator('.quick-input-list .monaco-list-row')
            .first()
            .getAttribute('aria-label', { timeout: 1000 });
        return first?.startsWith(name);
    });
    await page.keyboard.press('Enter');
    await page
        .locator(`.tabs-container .tab.active[aria-label^="${name}"]`)
        .waitFor({ state: 'visible', timeout: WAIT_MS });
}

// ---- The test --------------------------------------------------------------------------------

const outcomes = [];

async function check(name, body) {
    const started = Date.now();
    try {
        await body();
    } catch (error) {
        outcomes.push({ name, passed: false });
        console.log(`not ok ${outcomes.length} - ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
        throw error;
    }
    outcomes.push({ name, passed: true });
    console.log(`ok ${outcomes.length} - ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

async function main() {
    fs.mkdirSync(results, { recursive: true });
    prepareRunFolder();
    let codeServerProcess;
    let context;
    let page;
    const started = Date.now();
    try {
        await check('the .vsix installs into code-server', async () => installExtension());

        const port = await freePort();
        await check('code-server starts', async () => {
            codeServerProcess = await startCodeServer(port);
        });

        // playwright-core refuses --user-data-dir in args: the profile is its first argument.
        context = await chromium.launchPersistentContext(dirs.browserProfile, {
            executablePath: chromiumPath,
            headless: true,
            viewport: { width: 1400, height: 900 },
            args: [
                '--no-sandbox',
                '--disable-gpu',
                '--disable-quic',
                '--no-first-run',
                '--disable-background-networking',
                '--disable-component-update',
                '--disable-sync',
            ],
        });
        page = context.pages()[0] ?? (await context.newPage());
        page.setDefaultTimeout(WAIT_MS);

        await check('the workbench opens the fixture folder', async () => {
            await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(dirs.workspace)}`);
            await page.locator('.monaco-workbench').waitFor({ state: 'visible' });
            await page.locator('#workbench\\.parts\\.statusbar').waitFor({ state: 'visible' });
            await recordStatusHistory(page);
        });

        await check('the status bar item reaches its ready state', async () => {
            // ripple.toml in the folder activates the extension before any Python file is open.
            const label = await waitFor('ripple\'s status bar item to say "ready, 3 files"', async () => {
                const status = await rippleStatus(page);
                return status?.startsWith('ripple: ready, 3 files') && status;
            });
            console.log(`    status: ${label}; seen: ${JSON.stringify(await statusHistory(page))}`);
        });

        await check('squiggles appear in the editor', async () => {
            await openFile(page, 'app.py');
            await waitFor('an error and a warning squiggle', async () =>
                (await squiggles(page, 'error')) >= 1 && (await squiggles(page, 'warning')) >= 1);
        });

        await check('the Problems panel lists ripple\'s findings', async () => {
            await showProblems(page);
            const rows = await waitFor('both problems of app.py in the Problems panel', async () => {
                const labels = await problemRows(page);
                const undefinedName = labels.some((l) => /^Error: undefined name `suffix`.*ripple/.test(l));
                const unusedImport = labels.some((l) => /^Warning: `os` imported but unused.*ripple/.test(l));
                return undefinedName && unusedImport && labels;
            });
            // The default mode, open-files: other.py is not open, so nothing of it is shown.
            if (rows.some((row) => row.includes('other.py') || row.includes('whisper'))) {
                throw new Error(`other.py is reported although only open files should be: ${JSON.stringify(rows)}`);
            }
            console.log(`    ${rows.filter((row) => /^(Error|Warning)/.test(row)).join('\n    ')}`);
            const counts = await page.locator('#status\\.problems').getAttribute('aria-label');
            console.log(`    problems in the status bar: ${counts}`);
            await page.screenshot({ path: path.join(results, 'diagnostics.png') });
        });

        await check('fixing the undefined name by typing clears it', async () => {
            // Back to the editor, top of the file, and define the missing name there.
            await page.keyboard.press('Control+1');
            await page.keyboard.press('Control+Home');
            await page.keyboard.type('suffix = "!"');
            await page.keyboard.press('Enter');
            await waitFor('the typed line to reach the editor', async () =>
                (await activeEditorText(page)).startsWith('suffix = "!"\nimport os'));
            await waitFor('the error to clear while the warning stays', async () => {
                const labels = await problemRows(page);
                return (
                    (await squiggles(page, 'error')) === 0 &&
                    (await squiggles(page, 'warning')) >= 1 &&
                    !labels.some((l) => l.includes('suffix')) &&
                    labels.some((l) => /^Warning: `os` imported but unused/.test(l))
                );
            });
            await page.screenshot({ path: path.join(results, 'fixed.png') });
        });

        await check('ripple: Show Statistics shows the server\'s ripple/stats', async () => {
            await runCommand(page, 'ripple: Show Statistics');
            await page
                .locator('.tabs-container .tab.active[aria-label^="ripple-statistics.json"]')
                .waitFor({ state: 'visible' });
            const text = await waitFor('the statistics document', async () => {
                const content = await activeEditorText(page);
                return /"files": 3/.test(content) && /"openDocuments": 1/.test(content) && content;
            });
            console.log(`    ${text.split('\n').slice(0, 4).join(' ')} ...`);
        });

        await check('ripple: Show Logs opens the ripple output channel', async () => {
            await runCommand(page, 'ripple: Show Logs');
            await page
                .locator('.output-view .view-line', { hasText: 'Connected to ripple' })
                .first()
                .waitFor({ state: 'visible' });
        });

        await check('ripple.diagnosticMode applies without a restart', async () => {
            // Through the folder's .vscode/settings.json, as a project would set it. (code-server
            // notices edits of the folder's files on disk, but not of the user settings file.)
            await showProblems(page);
            const folderSettings = path.join(dirs.workspace, '.vscode', 'settings.json');
            fs.mkdirSync(path.dirname(folderSettings), { recursive: true });
            fs.writeFileSync(folderSettings, JSON.stringify({ 'ripple.diagnosticMode': 'workspace' }));
            // other.py was never opened: only a workspace-wide check reports it.
            await waitFor('other.py\'s problem in the Problems panel', async () => {
                const labels = await problemRows(page);
                return labels.some((l) => /module `helpers` has no member `whisper`/.test(l));
            });
            fs.writeFileSync(folderSettings, JSON.stringify({ 'ripple.diagnosticMode': 'open-files' }));
            await waitFor('other.py\'s problems to go again', async () => {
                const labels = await problemRows(page);
                return labels.length > 0 && !labels.some((l) => l.includes('other.py') || l.includes('whisper'));
            });
        });

        await check('a crashed server is restarted by itself', async () => {
            const pids = rippleServerPids();
            if (pids.length !== 1) {
                throw new Error(`expected one ripple server, found ${JSON.stringify(pids)}`);
            }
            const before = (await statusHistory(page)).length;
            process.kill(pids[0], 'SIGKILL');
            await waitFor('a new server process', async () => {
                const now = rippleServerPids();
                return now.length === 1 && now[0] !== pids[0];
            });
            await waitFor('the status item to be ready again', async () =>
                (await statusHistory(page)).slice(before).some((label) => label.startsWith('ripple: ready')));
            await waitFor('the warning of the open file again', async () => {
                const labels = await problemRows(page);
                return labels.some((l) => /^Warning: `os` imported but unused/.test(l));
            });
            console.log(`    seen: ${JSON.stringify((await statusHistory(page)).slice(before))}`);
        });

        await check('ripple: Restart Server restarts it and diagnostics come back', async () => {
            const before = (await statusHistory(page)).length;
            await runCommand(page, 'ripple: Restart Server');
            await waitFor('the status item to go through starting to ready', async () => {
                const seen = (await statusHistory(page)).slice(before);
                const starting = seen.findIndex((label) => label.startsWith('ripple: starting'));
                return starting >= 0 && seen.slice(starting).some((label) => label.startsWith('ripple: ready'));
            });
            await waitFor('the warning of the open file again', async () => {
                const labels = await problemRows(page);
                return labels.some((l) => /^Warning: `os` imported but unused/.test(l));
            });
            await page.screenshot({ path: path.join(results, 'final.png') });
        });

        await check('a wrong ripple.path says what to do, and fixing it recovers', async () => {
            const folderSettings = path.join(dirs.workspace, '.vscode', 'settings.json');
            const missing = path.join(run, 'no-such-dir', 'ripple');
            fs.writeFileSync(folderSettings, JSON.stringify({ 'ripple.path': missing }));
            await waitFor('the status item to report the missing server', async () =>
                (await rippleStatus(page))?.startsWith('ripple: problem: server not found'));
            const toast = page.locator('.notification-toast', { hasText: missing }).first();
            // Screenshot once the toast has finished fading in.
            await page.locator('.notification-toast.notification-fade-in-done', { hasText: missing }).waitFor({ state: 'visible' });
            console.log(`    notification: ${await toast.locator('.notification-list-item-message').textContent()}`);
            await page.screenshot({ path: path.join(results, 'not-found.png') });
            await toast.locator('.monaco-button', { hasText: 'Open Settings' }).click();
            await waitFor('the settings editor searching for ripple.path', async () => {
                const search = await page.locator('.settings-editor .suggest-input-container .view-line').first().textContent({ timeout: 1000 });
                return search?.includes('ripple.path');
            });
            const before = (await statusHistory(page)).length;
            fs.writeFileSync(folderSettings, '{}');
            await waitFor('the server to start again from the user setting', async () => {
                const seen = (await statusHistory(page)).slice(before);
                return seen.some((label) => label.startsWith('ripple: ready'));
            });
        });
    } catch (error) {
        console.error(`\nFAILED: ${error instanceof Error ? error.stack : String(error)}`);
        if (page) {
            await page.screenshot({ path: path.join(results, 'failure.png') }).catch(() => undefined);
            console.error(`ripple status: ${await rippleStatus(page).catch(() => 'unreadable')}`);
            console.error(`status history: ${JSON.stringify(await statusHistory(page).catch(() => []))}`);
            console.error(`notifications: ${JSON.stringify(await visibleNotifications(page).catch(() => []))}`);
            console.error(`problems: ${JSON.stringify(await problemRows(page).catch(() => []))}`);
            console.error(`screenshot: ${path.join(results, 'failure.png')}`);
        }
        process.exitCode = 1;
    } finally {
        await context?.close().catch(() => undefined);
        if (codeServerProcess) {
            stopCodeServer(codeServerProcess);
        }
    }
    const passed = outcomes.filter((outcome) => outcome.passed).length;
    const failed = outcomes.length - passed;
    console.log(`\nscreenshots and logs: ${results}`);
    console.log(`e2e took ${((Date.now() - started) / 1000).toFixed(1)} s`);
    console.log(`e2e: ${passed} passed, ${failed} failed`);
}

await main();
