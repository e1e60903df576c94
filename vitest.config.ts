import { defineConfig } from 'vitest/config';

// Workspace packages resolve each other's TypeScript source through this export condition,
// so tests never need a prior build.
const conditions = ['@crmkit/source', 'module', 'node', 'development|production'];

const shared = {
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@crmkit/source'] } },
};

export default defineConfig({
  test: {
    projects: [
      { ...shared, test: { name: 'core', root: './packages/core', environment: 'node', include: ['src/**/*.test.ts'] } },
      {
        ...shared,
        test: {
          name: 'server',
          root: './packages/server',
          environment: 'node',
          include: ['test/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      { ...shared, test: { name: 'client', root: './packages/client', environment: 'node', include: ['test/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 60_000 } },
      {
        ...shared,
        resolve: { conditions: ['@crmkit/source', 'module', 'browser', 'development|production'] },
        test: { name: 'react', root: './packages/react', environment: 'jsdom', include: ['test/**/*.test.{ts,tsx}'], testTimeout: 30_000, hookTimeout: 60_000 },
      },
    ],
  },
});
