// ESLint flat config: typescript-eslint's type-aware rules for the extension, plain
// recommended rules for the Node scripts of the tests.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
    {
        ignores: ['out/**', 'node_modules/**', '.e2e-cache/**', 'test-results/**', 'server/**'],
    },
    js.configs.recommended,
    {
        files: ['src/**/*.ts', 'test/unit/**/*.ts'],
        extends: [...tseslint.configs.recommendedTypeChecked],
        languageOptions: {
            parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
        },
        rules: {
            // Fire-and-forget promises must be marked with `void`, so none is dropped by accident.
            // node:test's describe and test return promises that the runner itself tracks.
            '@typescript-eslint/no-floating-promises': [
                'error',
                { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'test'] }] },
            ],
            '@typescript-eslint/switch-exhaustiveness-check': 'error',
            eqeqeq: 'error',
        },
    },
    {
        files: ['**/*.mjs'],
        languageOptions: { globals: { ...globals.node } },
        rules: { eqeqeq: 'error' },
    },
    {
        // Its page.evaluate callbacks run in the browser.
        files: ['test/e2e.mjs'],
        languageOptions: { globals: { ...globals.node, ...globals.browser } },
    },
);
