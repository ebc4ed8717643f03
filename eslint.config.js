// Lint enforces the dependency direction of CONTRIBUTING.md, "Layers and dependency direction":
// domain <- policy <- machines/streams <- app <- adapters <- main/cli.
import tseslint from 'typescript-eslint';

const io = [
  'kafkajs',
  '@opentelemetry/sdk-node',
  '@opentelemetry/instrumentation-kafkajs',
  'pino',
  'node:fs',
  'node:net',
  'node:http',
  'node:child_process',
  'fs',
  'net',
  'http',
  'child_process',
];
const layer = (inner, forbidden, extra = []) => ({
  files: inner,
  rules: {
    'no-restricted-imports': [
      'error',
      {
        paths: [...io, ...extra].map((name) => ({
          name,
          message: 'I/O belongs in src/adapters (CONTRIBUTING.md, "Layers and dependency direction").',
        })),
        patterns: forbidden.map((dir) => ({
          group: [`**/${dir}/**`, `**/${dir}`],
          message: `this layer may not import ${dir}/: dependencies point inward (CONTRIBUTING.md, "Layers and dependency direction").`,
        })),
      },
    ],
  },
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.local-kafka/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-throw-literal': 'error',
    },
  },
  layer(
    ['src/domain/**/*.ts'],
    ['policy', 'machines', 'streams', 'ports', 'app', 'adapters', 'cli'],
    ['rxjs', 'xstate'],
  ),
  layer(
    ['src/policy/**/*.ts'],
    ['machines', 'streams', 'ports', 'app', 'adapters', 'cli'],
    ['rxjs', 'xstate'],
  ),
  layer(['machines/**/*.ts'], ['streams', 'ports', 'app', 'adapters', 'cli'], ['rxjs']),
  layer(['src/streams/**/*.ts'], ['machines', 'ports', 'app', 'adapters', 'cli'], ['xstate']),
  layer(['src/ports/**/*.ts'], ['machines', 'streams', 'app', 'adapters', 'cli']),
  layer(['src/app/**/*.ts'], ['adapters', 'cli']),
  {
    files: ['src/adapters/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/cli/**', '**/main.js'],
              message:
                'adapters may not import the composition root (CONTRIBUTING.md, "Layers and dependency direction").',
            },
          ],
        },
      ],
    },
  },
);
