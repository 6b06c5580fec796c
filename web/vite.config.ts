// The staff portal UI, built by `npm run build:web` (`vite build web`) into
// dist/web, which the server serves at /app/ (src/http/routes/web.ts).
// Paths here are relative to this folder, Vite's root.

import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  base: '/app/',
  plugins: [react()],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    // Source maps would publish the UI's source next to it; nothing to hide, nothing to gain.
    sourcemap: false,
  },
  server: {
    // `npx vite web` beside `npm start`: the API stays on the server.
    proxy: { '/api': 'http://127.0.0.1:3000' },
  },
});
