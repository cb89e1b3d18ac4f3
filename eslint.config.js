// ESLint (flat config), `npm run lint`: promises that nobody awaits, type assertions on object literals
// (where `satisfies` checks the same value without silencing the compiler), and the layers of src/. The
// layers come from scripts/layers.json, which test/unit/layers.test.ts also checks (dynamic imports too).
import { readFileSync } from 'node:fs';
import tseslint from 'typescript-eslint';

const { $comment: _comment, ...layers } = JSON.parse(readFileSync(new URL('./scripts/layers.json', import.meta.url), 'utf8'));

/** src/ packages are flat folders, so `../OTHER/*` is every relative import of another package. */
const layerRules = Object.entries(layers).map(([pkg, allowed]) => ({
  files: [`src/${pkg}/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: Object.keys(layers)
          .filter((other) => other !== pkg && !allowed.includes(other))
          .map((other) => ({
            group: [`../${other}/*`],
            message: `src/${pkg} may import only ${allowed.join(', ') || 'itself'} (scripts/layers.json).`,
          })),
      },
    ],
  },
}));

export default [
  { ignores: ['dist/**', 'bench/out/**', 'node_modules/**'] },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    rules: {
      // node:test's test()/describe() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }] },
      ],
      '@typescript-eslint/consistent-type-assertions': ['error', { assertionStyle: 'as', objectLiteralTypeAssertions: 'allow-as-parameter' }],
    },
  },
  ...layerRules,
];
