#!/usr/bin/env node
// The `boreal` command runs the compiled CLI (src/cli.ts → dist/cli.js): `npm install` builds it ("prepare"), as do `npm run build` and `npm start`.
import('../dist/cli.js').catch((error) => {
  if (error && error.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/cli.js')) {
    console.error('boreal: the server is not built yet. Run `npm run build` first.');
    process.exit(1);
  }
  throw error;
});
