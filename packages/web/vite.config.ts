import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';

// The paths the Salus server answers itself; the dev server passes them through to it so the
// app talks to one origin, as it does when the server serves the built files.
const API_PREFIXES = ['/fhir', '/auth', '/oauth', '/admin', '/me', '/access', '/dev', '/.well-known', '/telehealth', '/monitoring'];
const target = process.env.SALUS_DEV_API ?? 'http://localhost:8080';

export default defineConfig({
  plugins: [
    react(),
    VitePWA({
      registerType: 'autoUpdate',
      injectRegister: 'script-defer',
      includeAssets: ['favicon.svg', 'apple-touch-icon.png'],
      manifest: {
        name: 'Salus',
        short_name: 'Salus',
        description: 'Your health record, your care team and your visits, in one place.',
        lang: 'en',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        background_color: '#ffffff',
        theme_color: '#0b7285',
        icons: [
          { src: '/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: '/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      workbox: {
        // Only the shell is cached: health data never lands in the service worker's cache.
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'],
        navigateFallback: '/index.html',
        navigateFallbackDenylist: API_PREFIXES.map((p) => new RegExp(`^${p.replace('.', '\\.')}(/|$)`)),
        runtimeCaching: [],
        // Web Push (show a notification, open the app on a click), added to the generated worker.
        importScripts: ['push-sw.js'],
      },
    }),
  ],
  server: {
    // Whole path segments only: /admin must not swallow the app's /administration pages.
    // `ws`: the video-visit signaling sockets go through too.
    proxy: Object.fromEntries(API_PREFIXES.map((p) => [`^${p.replace('.', '\\.')}(/|$)`, { target, changeOrigin: false, ws: true }])),
  },
  build: {
    outDir: 'dist',
    sourcemap: true,
    // The chunk graph, read by bench/web-first-load.ts to add up what a first visit downloads.
    manifest: true,
    chunkSizeWarningLimit: 900,
  },
});
