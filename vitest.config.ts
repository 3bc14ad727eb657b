import { defineConfig } from 'vitest/config';

export default defineConfig({
  // `import 'wbemsim'` (the library example) means the sources here, not the compiled dist/:
  // package.json's exports map the `wbemsim-source` condition to index.ts. The rest are Vite's
  // default server conditions, which setting the list replaces.
  ssr: { resolve: { conditions: ['wbemsim-source', 'module', 'node', 'development|production'] } },
  test: {
    include: ['**/*.spec.ts'],
    exclude: ['node_modules/**', 'dist/**', 'dist.*/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
