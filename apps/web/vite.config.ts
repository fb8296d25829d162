import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `vite` (dev) proxies the API so the app can run against `npm start`'s API on :4000 with hot reload;
// `vite build` writes dist/, which the API serves at / (PHOTOMAKER_WEB_DIR).
const api = process.env.PHOTOMAKER_API_URL ?? 'http://127.0.0.1:4000';

export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', sourcemap: true, chunkSizeWarningLimit: 600 },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/graphql': { target: api, ws: true },
      '/images': api,
      '/web-config.json': api,
    },
  },
});
