// Finding the `ripple` executable. Kept free of the `vscode` module so that it can be unit-tested
// with plain Node.

import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';

export type ServerSource = 'setting' | 'bundled' | 'PATH';

export interface ServerBinary {
    path: string;
    source: ServerSource;
}

export interface SearchOptions {
    /** The `ripple.path` setting, possibly empty. */
    configuredPath: string;
    /** The extension's own folder; a release ships the server in its `server/` folder. */
    extensionPath: string;
    /** Where a relative `ripple.path` is taken from. */
    workspaceRoot?: string;
    env?: NodeJS.ProcessEnv;
    platform?: NodeJS.Platform;
}

/** No usable server; `configured` tells whether a bad `ripple.path` is to blame. */
export class ServerNotFoundError extends Error {
    constructor(
        message: string,
        readonly configured: boolean,
    ) {
        super(message);
        this.name = 'ServerNotFoundError';
    }
}

export function executableName(platform: NodeJS.Platform = process.platform): string {
    return platform === 'win32' ? 'ripple.exe' : 'ripple';
}

/**
 * Resolves `~/`, `${userHome}`, `${workspaceFolder}` and relative paths the way users expect
 * from other VS Code settings; VS Code itself does not expand variables in extension settings.
 */
export function expandConfiguredPath(configured: string, workspaceRoot?: string): string {
    let expanded = configured.trim();
    expanded = expanded.replace(/\$\{userHome\}/g, os.homedir());
    if (workspaceRoot !== undefined) {
        expanded = expanded.replace(/\$\{workspaceFolder\}/g, workspaceRoot);
    }
    if (expanded === '~' || expanded.startsWith('~/') || expanded.startsWith('~\\')) {
        expanded = path.join(os.homedir(), expanded.slice(1));
    }
    if (!path.isAbsolute(expanded) && workspaceRoot !== undefined) {
        expanded = path.resolve(workspaceRoot, expanded);
    }
    return expanded;
}

async function isExecutableFile(candidate: string, platform: NodeJS.Platform): Promise<boolean> {
    try {
        const stat = await fs.stat(candidate);
        if (!stat.isFile()) {
            return false;
        }
        // Windows has no execute bit; existence is all that can be checked there.
        await fs.access(candidate, platform === 'win32' ? fs.constants.F_OK : fs.constants.X_OK);
        return true;
    } catch {
        return false;
    }
}

async function searchPath(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): Promise<string | undefined> {
    // Windows spells the variable `Path`, and the lookup must not depend on its case.
    const pathKey = Object.keys(env).find((key) => key.toUpperCase() === 'PATH');
    const entries = (pathKey ? env[pathKey] ?? '' : '').split(platform === 'win32' ? ';' : ':');
    for (const entry of entries) {
        if (entry === '') {
            continue;
        }
        const candidate = path.join(entry, executableName(platform));
        if (await isExecutableFile(candidate, platform)) {
            return candidate;
        }
    }
    return undefined;
}

/**
 * The server to start: `ripple.path` when set (and then only it: silently running another binary
 * would hide a typo), else the binary shipped in the extension, else the first on `PATH`.
 */
export async function findServer(options: SearchOptions): Promise<ServerBinary> {
    const platform = options.platform ?? process.platform;
    const env = options.env ?? process.env;

    if (options.configuredPath.trim() !== '') {
        const configured = expandConfiguredPath(options.configuredPath, options.workspaceRoot);
        if (await isExecutableFile(configured, platform)) {
            return { path: configured, source: 'setting' };
        }
        throw new ServerNotFoundError(
            `The ripple.path setting names ${configured}, which is not an executable file.`,
            true,
        );
    }

    const bundled = path.join(options.extensionPath, 'server', executableName(platform));
    if (await isExecutableFile(bundled, platform)) {
        return { path: bundled, source: 'bundled' };
    }

    const onPath = await searchPath(env, platform);
    if (onPath !== undefined) {
        return { path: onPath, source: 'PATH' };
    }

    throw new ServerNotFoundError(
        'The ripple language server was not found: ripple.path is not set, this build of the ' +
            'extension ships no server, and there is no ripple on PATH.',
        false,
    );
}
