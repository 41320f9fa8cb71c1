// The language client's life: finding the binary, starting, restarting, and keeping the status
// bar in step with the server.

import * as vscode from 'vscode';
import {
    type ClientCapabilities,
    CloseAction,
    DidChangeConfigurationNotification,
    ErrorAction,
    type ErrorHandler,
    type LanguageClientOptions,
    LanguageClient,
    type ServerOptions,
    State,
    type StaticFeature,
} from 'vscode-languageclient/node';

import { findServer, type ServerBinary, ServerNotFoundError } from './serverPath';
import { configuredServerPath, firstWorkspaceFolder, logFilter, logLevel, serverSettings } from './settings';
import { STATS_REQUEST, type ServerStats } from './stats';
import type { ServerStatus } from './statusBar';

const CLIENT_ID = 'ripple'; // also makes vscode-languageclient follow `ripple.trace.server`
const STOP_TIMEOUT_MS = 5000;
// Statistics are refreshed a moment after diagnostics change, so a burst of keystrokes costs one
// request; the request itself waits for the server's running check.
const STATS_DEBOUNCE_MS = 1000;
// The default handler's limit: more crashes than this in three minutes and the server stays down.
const MAX_RESTARTS = 4;
const RESTART_WINDOW_MS = 3 * 60 * 1000;

export class RippleServer implements vscode.Disposable {
    private client: LanguageClient | undefined;
    private binary: ServerBinary | undefined;
    // Start, stop and restart run one after another, whatever order commands and setting changes
    // arrive in.
    private queue: Promise<void> = Promise.resolve();
    private stopping = false;
    // Whether the current client's server answered `initialize`; only such a server is restarted
    // after a crash.
    private initialized = false;
    private statsTimer: ReturnType<typeof setTimeout> | undefined;
    private statsInFlight = false;
    private statsWanted = false;
    private readonly disposables: vscode.Disposable[] = [];

    constructor(
        private readonly extensionPath: string,
        private readonly output: vscode.OutputChannel,
        private readonly status: ServerStatus,
        private readonly onServerNotFound: (error: ServerNotFoundError) => void,
    ) {
        this.disposables.push(
            vscode.languages.onDidChangeDiagnostics(() => this.scheduleStats()),
            vscode.workspace.onDidSaveTextDocument(() => this.scheduleStats()),
        );
    }

    start(): Promise<void> {
        return this.enqueue(() => this.doStart());
    }

    stop(): Promise<void> {
        return this.enqueue(() => this.doStop());
    }

    restart(): Promise<void> {
        return this.enqueue(async () => {
            this.log('Restarting the server');
            await this.doStop();
            await this.doStart();
        });
    }

    get running(): boolean {
        return this.client?.state === State.Running;
    }

    /** Asks the server for `ripple/stats`; fails when it is not running. */
    async stats(): Promise<ServerStats> {
        const client = this.client;
        if (client === undefined || client.state !== State.Running) {
            throw new Error('the ripple server is not running');
        }
        return client.sendRequest<ServerStats>(STATS_REQUEST);
    }

    /** Sends the settings the server reads (`ripple.diagnosticMode`, whether tasks may run) to the running server. */
    async sendSettings(): Promise<void> {
        const client = this.client;
        if (client === undefined || client.state !== State.Running) {
            return; // the next start sends them in initializationOptions
        }
        const settings = serverSettings();
        this.log(`Sending settings ${JSON.stringify(settings)}`);
        await client.sendNotification(DidChangeConfigurationNotification.type, {
            settings: { ripple: settings },
        });
    }

    private enqueue(step: () => Promise<void>): Promise<void> {
        const next = this.queue.then(step, step);
        // A failed step must not wedge every later one.
        this.queue = next.catch((error: unknown) => this.log(`Unexpected error: ${String(error)}`));
        return next;
    }

    private async doStart(): Promise<void> {
        this.status.starting('Looking for the ripple executable');
        try {
            this.binary = await findServer({
                configuredPath: configuredServerPath(),
                extensionPath: this.extensionPath,
                workspaceRoot: firstWorkspaceFolder(),
            });
        } catch (error) {
            if (error instanceof ServerNotFoundError) {
                this.log(error.message);
                this.status.problem('server not found', error.message);
                this.onServerNotFound(error);
                return;
            }
            throw error;
        }

        const binary = this.binary;
        const filter = logFilter(logLevel());
        this.log(`Starting ${binary.path} lsp --stdio (found through ${describeSource(binary)}, RIPPLE_LOG=${filter})`);
        this.status.starting(`${binary.path} (${describeSource(binary)})`);

        const serverOptions: ServerOptions = {
            command: binary.path,
            args: ['lsp', '--stdio'],
            options: { env: { ...process.env, RIPPLE_LOG: filter } },
        };
        this.initialized = false;
        const client = new LanguageClient(CLIENT_ID, 'ripple', serverOptions, this.clientOptions());
        client.registerFeature(new PushDiagnosticsOnly());
        this.client = client;
        client.onDidChangeState((event) => this.onStateChange(client, event.newState));

        try {
            await client.start();
        } catch (error) {
            const reason = error instanceof Error ? error.message : String(error);
            this.log(`The server failed to start: ${reason}`);
            this.status.problem('the server failed to start', `${binary.path}: ${reason}`);
            this.client = undefined;
            // vscode-languageclient has already shown the error, with a button to these logs.
            await client.dispose().catch(() => undefined);
            return;
        }
        this.initialized = true;
        const info = client.initializeResult?.serverInfo;
        this.log(`Connected to ${info?.name ?? 'the server'} ${info?.version ?? ''}`.trimEnd());
        this.status.ready(info?.version);
        this.scheduleStats(0);
    }

    private async doStop(): Promise<void> {
        const client = this.client;
        this.client = undefined;
        if (client === undefined) {
            return;
        }
        this.stopping = true;
        try {
            if (client.isRunning()) {
                await client.stop(STOP_TIMEOUT_MS);
            }
        } catch (error) {
            this.log(`Stopping the server: ${String(error)}`);
        } finally {
            await client.dispose(STOP_TIMEOUT_MS).catch(() => undefined);
            this.stopping = false;
            this.status.stopped();
        }
    }

    private clientOptions(): LanguageClientOptions {
        return {
            documentSelector: [{ scheme: 'file', language: 'python' }],
            outputChannel: this.output,
            initializationOptions: serverSettings(),
            errorHandler: this.errorHandler(),
            // A server that fails to initialize is broken, not busy: no retry.
            initializationFailedHandler: () => false,
            middleware: {
                // Called for every work done progress notification the server sends. Passing it
                // on (next) keeps VS Code's own progress UI; the status bar watches alongside.
                handleWorkDoneProgress: (token, params, next) => {
                    next(token, params);
                    this.status.progress(token, params);
                    if (params.kind === 'end' && !this.status.busy) {
                        this.scheduleStats(0);
                    }
                },
            },
        };
    }

    /**
     * Restarts a crashed server a few times, as vscode-languageclient's default handler does, and
     * says so in the status bar. A server that never got through initialization is not
     * restarted: doStart reports that failure.
     */
    private errorHandler(): ErrorHandler {
        const restarts: number[] = [];
        return {
            error: () => ({ action: ErrorAction.Continue }),
            closed: () => {
                if (!this.initialized) {
                    return { action: CloseAction.DoNotRestart, handled: true };
                }
                const now = Date.now();
                restarts.push(now);
                while (restarts.length > 0 && restarts[0] < now - RESTART_WINDOW_MS) {
                    restarts.shift();
                }
                if (restarts.length <= MAX_RESTARTS) {
                    this.log('The server exited unexpectedly; restarting it');
                    return { action: CloseAction.Restart, handled: true };
                }
                const message = `The server crashed ${restarts.length} times in three minutes and will not be restarted.`;
                this.log(message);
                this.status.problem('the server keeps crashing', message);
                void vscode.window
                    .showErrorMessage(`ripple: ${message}`, 'Show Logs', 'Restart Server')
                    .then((choice) => {
                        if (choice === 'Show Logs') {
                            this.output.show(true);
                        } else if (choice === 'Restart Server') {
                            void this.restart();
                        }
                    });
                return { action: CloseAction.DoNotRestart, handled: true };
            },
        };
    }

    private onStateChange(client: LanguageClient, state: State): void {
        if (client !== this.client) {
            return; // a client being replaced
        }
        switch (state) {
            case State.Starting:
                this.status.starting(this.binary ? this.binary.path : 'starting');
                break;
            case State.Running:
                this.initialized = true;
                this.status.ready(client.initializeResult?.serverInfo?.version);
                this.scheduleStats(0);
                break;
            case State.Stopped:
                if (!this.stopping && this.status.isReady) {
                    this.status.problem('the server stopped', 'See the ripple output channel for why.');
                }
                break;
        }
    }

    private scheduleStats(delay = STATS_DEBOUNCE_MS): void {
        if (this.statsTimer !== undefined) {
            clearTimeout(this.statsTimer);
        }
        this.statsTimer = setTimeout(() => {
            this.statsTimer = undefined;
            void this.refreshStats();
        }, delay);
    }

    private async refreshStats(): Promise<void> {
        if (!this.running) {
            return;
        }
        if (this.statsInFlight) {
            this.statsWanted = true; // one more round when the current answer arrives
            return;
        }
        this.statsInFlight = true;
        try {
            this.status.updateStats(await this.stats());
        } catch (error) {
            this.log(`ripple/stats failed: ${String(error)}`);
        } finally {
            this.statsInFlight = false;
        }
        if (this.statsWanted) {
            this.statsWanted = false;
            this.scheduleStats();
        }
    }

    private log(message: string): void {
        this.output.appendLine(`[client ${new Date().toISOString()}] ${message}`);
    }

    async dispose(): Promise<void> {
        if (this.statsTimer !== undefined) {
            clearTimeout(this.statsTimer);
        }
        for (const disposable of this.disposables) {
            disposable.dispose();
        }
        await this.stop();
    }
}

/**
 * Declines pull diagnostics, so that the server pushes them. With pull, vscode-languageclient
 * re-requests workspace diagnostics every two seconds for as long as the window is open; pushed
 * diagnostics are sent only when they change, the moment the server has them, and carry the
 * document version they describe. Registered after the built-in features, so it edits the
 * capabilities they filled in.
 */
class PushDiagnosticsOnly implements StaticFeature {
    fillClientCapabilities(capabilities: ClientCapabilities): void {
        delete capabilities.textDocument?.diagnostic;
        delete capabilities.workspace?.diagnostics;
    }

    initialize(): void {}

    getState(): { kind: 'static' } {
        return { kind: 'static' };
    }

    clear(): void {}
}

function describeSource(binary: ServerBinary): string {
    switch (binary.source) {
        case 'setting':
            return 'the ripple.path setting';
        case 'bundled':
            return 'the server shipped with the extension';
        case 'PATH':
            return 'PATH';
    }
}
