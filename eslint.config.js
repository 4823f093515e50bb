// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Layering: what each layer may import, checked here rather than remembered (issue #10), and
// proved to fire by test/packaging/layering.test.ts. Type-only imports are erased at build time,
// so they are allowed: they cannot load IO or create a runtime cycle.
const TICS_MESSAGE = 'src/tics is the TICS client: it must not know the Slack side or the watcher.';
const WATCH_MESSAGE = 'src/watch must not know Slack: it posts through the Notifier port (watch/types.ts), wired in bot.ts.';
const VIEW_MESSAGE =
  'Slack views are pure (data in, Block Kit out): import only zod, date-fns, other views and the pure modules listed in eslint.config.js; fetch or store in the command/action layer and pass the result in.';
/** The only modules a view may load at run time (`*`: any one path segment). */
const VIEW_RUNTIME_IMPORTS = [
  'zod',
  'date-fns',
  'date-fns/*',
  '@date-fns/*',
  '@date-fns/utc/date/mini',
  './*',
  '../cursor.js',
  '../limits.js',
  '../command-name.js',
  '../../format/*',
  '../../tics/schema.js',
  '../../tics/errors.js',
  '../../tics/leagues.js',
  '../../watch/types.js',
  '../../watch/watch-options.js',
];
// An allow-list, so a new IO import is refused by default. A regex because gitignore-style
// negation cannot re-admit `../cursor.js` once `*` has excluded `..`.
const escapeRegex = (/** @type {string} */ text) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
const VIEW_FORBIDDEN = `^(?!(?:${VIEW_RUNTIME_IMPORTS.map((p) => escapeRegex(p).replace(/\*/g, '[^/]+')).join('|')})$)`;

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'data/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['eslint.config.js'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A forgotten await in a Slack handler is a silent lost reply; make it loud.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  {
    files: ['src/tics/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/slack/**', '**/watch/**', '@slack/*'], allowTypeImports: false, message: TICS_MESSAGE }] },
      ],
    },
  },
  {
    files: ['src/watch/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/slack/**', '@slack/*'], allowTypeImports: false, message: WATCH_MESSAGE }] },
      ],
    },
  },
  {
    files: ['src/slack/views/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ regex: VIEW_FORBIDDEN, allowTypeImports: true, message: VIEW_MESSAGE }] },
      ],
      // A dynamic import() escapes the rule above, and a pure view has nothing to load lazily.
      'no-restricted-syntax': ['error', { selector: 'ImportExpression', message: VIEW_MESSAGE }],
    },
  },
  {
    files: ['test/**', 'bench/**', 'src/cli/**', 'src/simulator/main.ts', 'src/demo.ts'],
    rules: {
      'no-console': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
);
