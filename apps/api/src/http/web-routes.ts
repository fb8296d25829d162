import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import express, { Router } from 'express';
import type { ApiConfig } from '../config.ts';
import { mayReceiveDemoKey } from './demo-key-audience.ts';

const API_PATHS = /^\/(graphql|v1|images|healthz|readyz|metrics|web-config\.json)(\/|$)/;

/**
 * The built web app from PHOTOMAKER_WEB_DIR at / with SPA fallback, and /web-config.json (the launcher's
 * demo key when PHOTOMAKER_WEB_DEMO_KEY is set and the request is addressed to PHOTOMAKER_PUBLIC_URL or a
 * loopback host, else no key and the app asks for one).
 */
export function webRoutes(config: ApiConfig): Router {
  const router = Router();
  router.get('/web-config.json', (req, res) => {
    res.setHeader('cache-control', 'no-store');
    const demoKey =
      config.webDemoKey && mayReceiveDemoKey(req.headers, config.publicUrl) ? config.webDemoKey : undefined;
    res.json({
      ...(demoKey ? { apiKey: demoKey } : {}),
      ...(config.temporalUiUrl ? { temporalUiUrl: config.temporalUiUrl } : {}),
    });
  });
  if (!config.webDir) return router;
  const dir = resolve(config.webDir);
  router.use(express.static(dir, { index: 'index.html', maxAge: '1h' }));
  router.get(/.*/, (req, res, next) => {
    const index = join(dir, 'index.html');
    if (API_PATHS.test(req.path) || !req.accepts('html') || !existsSync(index)) return next();
    res.setHeader('cache-control', 'no-cache');
    res.sendFile(index);
  });
  return router;
}
