import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          // Pure logic, no broker: one module graph per worker thread halves the project's time (80 s ->
          // 40 s on 2 cores: most of it was importing kafkajs, xstate and OTel again for each file).
          // Passes with the files shuffled (--sequence.shuffle.files), so no file leans on another's state.
          pool: 'threads',
          isolate: false,
        },
      },
      {
        test: {
          name: 'integration',
          sequence: { groupOrder: 1 },
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 90_000,
          // One real broker on 2 cores: files run one at a time so timing-sensitive flows do not starve.
          fileParallelism: false,
        },
      },
      {
        // A 3-broker cluster of its own (part of `npm test`, alone: `npm run test:faults`). Groups run in
        // order (unit, integration, cluster), so the single broker's timing-sensitive tests never share
        // the 2 cores with three more brokers.
        test: {
          name: 'cluster',
          sequence: { groupOrder: 2 },
          include: ['test/cluster/**/*.test.ts'],
          environment: 'node',
          testTimeout: 240_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
