import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', cli: 'src/cli/main.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts' } },
  sourcemap: true,
  clean: true,
  // The generated Prisma client and the migrator use import.meta.url; the CJS build needs its shim.
  shims: true,
  target: 'node20',
  external: ['@crmkit/core'],
});
