// Bundles the dashboard (src/dashboard, preact + uPlot) into dist/dashboard: index.html, app.js and
// app.css, served by the controller at `/`. Nothing is fetched at run time; the CSP forbids it.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';

const outdir = 'dist/dashboard';
mkdirSync(outdir, { recursive: true });
await build({
  entryPoints: { app: 'src/dashboard/main.tsx' },
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es2020',
  outdir,
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'none',
  logLevel: 'warning',
});
copyFileSync('src/dashboard/index.html', `${outdir}/index.html`);
