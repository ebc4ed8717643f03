// Lint enforces the dependency direction of CONTRIBUTING.md, "Layers and dependency direction":
// domain <- policy <- machines/streams <- app <- adapters <- compose <- cli/demo/main,
// the purity of the decision layers ("Decisions are pure") and the error rules ("Errors").
import tseslint from 'typescript-eslint';

const layers = 'CONTRIBUTING.md, "Layers and dependency direction"';
const pure = 'CONTRIBUTING.md, "Decisions are pure"';

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
const ioPaths = io.map((name) => ({
  name,
  message: `I/O belongs in src/adapters (${layers}).`,
}));
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

// Allow-list: an import must start with one of `allowed` (relative prefixes or package names,
// a package's subpaths included); anything else is an error.
const allowOnly = (files, what, allowed) => ({
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            regex: `^(?!(${allowed
              .map((a) => (a.startsWith('.') ? escape(a) : `${escape(a)}(/|$)`))
              .join('|')}))`,
            message: `${what} (${layers}).`,
          },
        ],
      },
    ],
  },
});

// Deny-list: for the layers that may import most things, the outer layers they may not.
const deny = (files, forbidden, { paths = [] } = {}) => ({
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      {
        paths,
        patterns: forbidden.map((dir) => ({
          group: dir === 'main' ? ['**/main.js'] : [`**/${dir}/**`, `**/${dir}`],
          message: `this layer may not import ${dir === 'main' ? 'src/main.ts' : `${dir}/`}: dependencies point inward (${layers}).`,
        })),
      },
    ],
  },
});

// Every error we raise is a TenantBalancerError with a code.
const errors = 'CONTRIBUTING.md, "Errors"';
const throwSyntax = [
  ...['NewExpression', 'CallExpression'].map((node) => ({
    selector: `ThrowStatement > ${node}[callee.name='Error']`,
    message: `throw a TenantBalancerError with an ErrorCode from src/domain/errors.ts and a message that says what to fix (${errors}).`,
  })),
  {
    selector: "Property[key.name='code'] > Literal[value=/^KTB_/]",
    message: `write ErrorCode.X (src/domain/errors.ts), not the code as a string, so every code is in the registry (${errors}).`,
  },
];
// Record header names are defined once (CONTRIBUTING.md, "Files and names").
const headerSyntax = {
  selector: 'Literal[value=/^(tenant-id|route-epoch|tenant-seq|sent-at|shard-key)$/]',
  message:
    'use Headers from src/domain/record-headers.ts, not the header name as a string (CONTRIBUTING.md, "Files and names").',
};
// The decision layers take time as an argument; timers live in the controller and the adapters.
const clockSyntax = [
  {
    selector: "NewExpression[callee.name='Date'][arguments.length=0]",
    message: `new Date() reads the clock: take now as an argument (${pure}).`,
  },
  {
    selector: "CallExpression[callee.type='Identifier'][callee.name='Date']",
    message: `Date() reads the clock: take now as an argument (${pure}).`,
  },
];
const pureFiles = ['src/domain/**/*.ts', 'src/policy/**/*.ts', 'src/streams/**/*.ts', 'machines/**/*.ts'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.local-kafka/**', '.local-registry/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-throw-literal': 'error',
    },
  },

  {
    files: ['src/**/*.ts', 'machines/**/*.ts'],
    rules: { 'no-restricted-syntax': ['error', ...throwSyntax, headerSyntax] },
  },

  // The pure layers: allow-lists. zod is a pure schema library (wire and route record codecs, thresholds).
  allowOnly(['src/domain/**/*.ts'], 'src/domain may import only src/domain and zod', [
    './',
    '../domain/',
    'zod',
  ]),
  allowOnly(['src/policy/**/*.ts'], 'src/policy may import only src/domain, src/policy and zod', [
    './',
    '../domain/',
    '../policy/',
    'zod',
  ]),
  allowOnly(['machines/**/*.ts'], 'machines/ may import only xstate, src/domain and src/policy', [
    './',
    '../src/domain/',
    '../src/policy/',
    'xstate',
  ]),
  allowOnly(
    ['src/streams/**/*.ts'],
    'src/streams may import only rxjs, src/domain, src/policy and src/streams',
    ['./', '../streams/', '../domain/', '../policy/', 'rxjs'],
  ),
  {
    files: pureFiles,
    rules: {
      'no-restricted-globals': [
        'error',
        ...['setTimeout', 'setInterval', 'setImmediate', 'performance'].map((name) => ({
          name,
          message: `${name} is a timer or a clock: timers live in the controller and the adapters, time comes in as an argument (${pure}).`,
        })),
      ],
      'no-restricted-properties': [
        'error',
        {
          object: 'Date',
          property: 'now',
          message: `Date.now() reads the clock: take now as an argument (${pure}).`,
        },
        {
          object: 'performance',
          property: 'now',
          message: `performance.now() reads the clock: take now as an argument (${pure}).`,
        },
        { object: 'Math', property: 'random', message: `no randomness in decisions (${pure}).` },
        ...['setTimeout', 'setInterval', 'setImmediate'].map((property) => ({
          object: 'globalThis',
          property,
          message: `timers live in the controller and the adapters (${pure}).`,
        })),
      ],
      'no-restricted-syntax': ['error', ...throwSyntax, headerSyntax, ...clockSyntax],
    },
  },

  {
    // the one place the header names are spelled out
    files: ['src/domain/record-headers.ts'],
    rules: { 'no-restricted-syntax': ['error', ...throwSyntax, ...clockSyntax] },
  },

  // The rest: deny-lists of the outer layers.
  deny(['src/ports/**/*.ts'], ['machines', 'streams', 'app', 'adapters', 'compose', 'cli', 'demo', 'main'], {
    paths: ioPaths,
  }),
  deny(['src/app/**/*.ts'], ['adapters', 'compose', 'cli', 'demo', 'main'], { paths: ioPaths }),
  deny(['src/adapters/**/*.ts'], ['compose', 'cli', 'demo', 'main']),
  deny(['src/compose/**/*.ts'], ['cli', 'demo', 'main']),
  deny(['src/demo/**/*.ts'], ['cli', 'main']),
  deny(['src/cli/**/*.ts'], ['main']),
  // The dashboard's browser code (bundled by scripts/build-dashboard.mjs, typed by
  // tsconfig.dashboard.json): preact, uPlot, and the view model it shares with the server.
  allowOnly(
    ['src/dashboard/**/*.{ts,tsx}'],
    'src/dashboard (browser code) may import only preact, uplot, itself and src/app/dashboard/{view-model,delta}',
    ['./', '../app/dashboard/view-model.js', '../app/dashboard/delta.js', 'preact', 'uplot'],
  ),
  {
    files: ['test/unit/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/integration/**'],
              message:
                'unit tests import no integration helpers; put what both share in test/support/ (CONTRIBUTING.md, "Tests").',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/index.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/demo/**', '**/cli/**', '**/compose/**', '**/main.js'],
              message: `src/index.ts exports the library only, not the demo, the CLI or the composition root (${layers}).`,
            },
          ],
        },
      ],
    },
  },
);
