/// <reference types="vitest/config" />
import { fileURLToPath, URL } from "node:url";
import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig, type ProxyOptions } from "vite";

/**
 * The browser always calls same-origin `/api/...`. In dev (`vite`) and when
 * serving the production build (`vite preview`) this proxy forwards to the
 * API, strips the `/api` prefix and rewrites the refresh cookie's
 * `Path=/auth` to `Path=/api/auth` so the browser sends it back to
 * `/api/auth/refresh`. The Compose web server does the same.
 */
const apiTarget = process.env.API_URL ?? "http://127.0.0.1:8000";

const apiProxy: Record<string, ProxyOptions> = {
  "/api": {
    target: apiTarget,
    changeOrigin: true,
    xfwd: true,
    rewrite: (path) => path.replace(/^\/api(?=\/|$|\?)/, "") || "/",
    cookiePathRewrite: { "/auth": "/api/auth" },
    cookieDomainRewrite: "",
  },
};

export default defineConfig({
  plugins: [react(), tailwindcss()],
  resolve: {
    alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) },
  },
  server: {
    host: "127.0.0.1",
    port: 5173,
    strictPort: true,
    proxy: apiProxy,
  },
  preview: {
    host: "127.0.0.1",
    port: 5173,
    strictPort: true,
    proxy: apiProxy,
  },
  build: {
    sourcemap: true,
    chunkSizeWarningLimit: 900,
  },
  test: {
    environment: "node",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test/setup.ts"],
  },
});
