// Bundles the browser client into dist/: one ES module per page plus the static files
// from public/. Run through `npm run build` (type-check first); the .NET build calls it.
import * as esbuild from 'esbuild';
import { cp, mkdir, rm } from 'node:fs/promises';

const outdir = 'dist';

await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });

await esbuild.build({
  entryPoints: { lobby: 'src/lobby.ts', room: 'src/room.ts', admin: 'src/admin.ts' },
  outdir,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome111', 'firefox115', 'safari16.4'],
  minify: true,
  sourcemap: 'linked',
  legalComments: 'linked',
  logLevel: 'warning',
});

await cp('public', outdir, { recursive: true });
