import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // `import 'wbemsim'` (the library example) means the sources here, not the compiled dist/.
  resolve: { alias: [{ find: /^wbemsim$/, replacement: fileURLToPath(new URL('./index.ts', import.meta.url)) }] },
  test: {
    include: ['**/*.spec.ts'],
    exclude: ['node_modules/**', 'dist/**', 'dist.*/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
