// The web UI of `tilt up`, built into dist/web, which the server serves.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  // The config may be loaded from the repository root (npm run build).
  root: decodeURIComponent(new URL('.', import.meta.url).pathname),
  base: '/',
  plugins: [react()],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1024,
  },
  // web/ imports the API types from ../src.
  server: { fs: { allow: ['..'] } },
});
