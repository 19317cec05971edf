/**
 * Builds the Web UI into dist/ui/, beside the compiled server, which serves it (and answers its
 * /api/v1 calls) on the UI port. `vite build ui` runs from the package root with ui/ as root.
 */
import { defineConfig } from 'vite'

export default defineConfig({
  // Absolute asset URLs: deep links such as /namespaces/x/workflows/y/z get index.html from the
  // server, and its scripts must still load from /assets/.
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: '../dist/ui',
    // The output lies outside ui/, where Vite will not empty it unless told to.
    emptyOutDir: true,
    // No source maps in the package: they would double its size for little use.
    sourcemap: false,
    reportCompressedSize: false,
  },
  server: {
    // `npx vite ui` against a running `sundial server start-dev` (HTTP API on 7243).
    proxy: { '/api': 'http://127.0.0.1:7243' },
  },
})
