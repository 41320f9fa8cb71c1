// How the extension finds the server: ripple.path, then the shipped binary, then PATH.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { expandConfiguredPath, findServer, ServerNotFoundError } from '../../src/serverPath';

let root: string;

function executable(file: string): string {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '#!/bin/sh\n');
    fs.chmodSync(file, 0o755);
    return file;
}

before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ripple-server-path-'));
});

after(() => {
    fs.rmSync(root, { recursive: true, force: true });
});

describe('findServer', () => {
    test('ripple.path wins over the shipped binary and PATH', async () => {
        const configured = executable(path.join(root, 'a', 'my-ripple'));
        const extension = path.join(root, 'ext-a');
        executable(path.join(extension, 'server', 'ripple'));
        const bin = path.join(root, 'bin-a');
        executable(path.join(bin, 'ripple'));
        const found = await findServer({
            configuredPath: configured,
            extensionPath: extension,
            env: { PATH: bin },
            platform: 'linux',
        });
        assert.deepEqual(found, { path: configured, source: 'setting' });
    });

    test('a wrong ripple.path is an error, not a silent fallback', async () => {
        const bin = path.join(root, 'bin-b');
        executable(path.join(bin, 'ripple'));
        await assert.rejects(
            findServer({
                configuredPath: path.join(root, 'missing', 'ripple'),
                extensionPath: path.join(root, 'ext-b'),
                env: { PATH: bin },
                platform: 'linux',
            }),
            (error: unknown) => error instanceof ServerNotFoundError && error.configured,
        );
    });

    test('a file without the execute bit is not a server', async () => {
        const file = path.join(root, 'c', 'ripple');
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, 'not a program');
        fs.chmodSync(file, 0o644);
        await assert.rejects(
            findServer({ configuredPath: file, extensionPath: root, env: { PATH: '' }, platform: 'linux' }),
            ServerNotFoundError,
        );
    });

    test('the binary shipped in server/ comes before PATH', async () => {
        const extension = path.join(root, 'ext-d');
        const shipped = executable(path.join(extension, 'server', 'ripple'));
        const bin = path.join(root, 'bin-d');
        executable(path.join(bin, 'ripple'));
        const found = await findServer({ configuredPath: '  ', extensionPath: extension, env: { PATH: bin }, platform: 'linux' });
        assert.deepEqual(found, { path: shipped, source: 'bundled' });
    });

    test('PATH is searched in order, skipping empty entries and folders named ripple', async () => {
        const first = path.join(root, 'bin-e1');
        fs.mkdirSync(path.join(first, 'ripple'), { recursive: true }); // a folder, not a program
        const second = executable(path.join(root, 'bin-e2', 'ripple'));
        executable(path.join(root, 'bin-e3', 'ripple'));
        const found = await findServer({
            configuredPath: '',
            extensionPath: path.join(root, 'ext-e'),
            env: { PATH: ['', first, path.dirname(second), path.join(root, 'bin-e3')].join(':') },
            platform: 'linux',
        });
        assert.deepEqual(found, { path: second, source: 'PATH' });
    });

    test('nothing anywhere says so, without blaming the setting', async () => {
        await assert.rejects(
            findServer({ configuredPath: '', extensionPath: path.join(root, 'ext-f'), env: { PATH: path.join(root, 'nowhere') }, platform: 'linux' }),
            (error: unknown) => error instanceof ServerNotFoundError && !error.configured && /not found/.test(error.message),
        );
    });
});

describe('expandConfiguredPath', () => {
    test('expands the home folder and ${workspaceFolder}', () => {
        assert.equal(expandConfiguredPath('~/bin/ripple'), path.join(os.homedir(), 'bin/ripple'));
        assert.equal(expandConfiguredPath('${userHome}/ripple'), path.join(os.homedir(), 'ripple'));
        assert.equal(expandConfiguredPath('${workspaceFolder}/tools/ripple', '/work/project'), '/work/project/tools/ripple');
    });

    test('a relative path starts at the workspace folder', () => {
        assert.equal(expandConfiguredPath('target/debug/ripple', '/work/project'), '/work/project/target/debug/ripple');
        assert.equal(expandConfiguredPath('/usr/bin/ripple', '/work/project'), '/usr/bin/ripple');
    });
});
