import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type Koa from 'koa';

/** The dashboard's static files sit beside src/ and dist/, so the same path works from both. */
const DASHBOARD_DIR = join(__dirname, '..', '..', 'dashboard');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

// Pages read the admin API with the token in sessionStorage: no third-party origin, no framing.
const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

function typeOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return TYPES[name.slice(dot)] ?? 'application/octet-stream';
}

/**
 * Serves the operator dashboard under /dashboard/ (and redirects / to it). The files hold no data:
 * every figure on the pages comes from the admin API with the operator's token, so this route
 * needs none. Only a fixed list of files is served (no path from the request reaches the disk),
 * read once at start-up.
 */
export function serveDashboard(): Koa.Middleware {
  const sources: Record<string, string> = {
    'index.html': join(DASHBOARD_DIR, 'index.html'),
    'app.js': join(DASHBOARD_DIR, 'app.js'),
    'style.css': join(DASHBOARD_DIR, 'style.css'),
    'vendor/uPlot.iife.min.js': require.resolve('uplot/dist/uPlot.iife.min.js'),
    'vendor/uPlot.min.css': require.resolve('uplot/dist/uPlot.min.css'),
  };
  const files = new Map(Object.entries(sources).map(([name, path]) => [name, { body: readFileSync(path), type: typeOf(name) }]));

  return async (ctx, next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    if (ctx.path === '/' || ctx.path === '/dashboard') {
      ctx.redirect('/dashboard/');
      return;
    }
    if (!ctx.path.startsWith('/dashboard/')) return next();
    const name = ctx.path.slice('/dashboard/'.length) || 'index.html';
    const file = files.get(name);
    if (file === undefined) {
      ctx.status = 404;
      ctx.type = 'text/plain';
      ctx.body = `no dashboard file ${name}`;
      return;
    }
    for (const [header, value] of Object.entries(SECURITY_HEADERS)) ctx.set(header, value);
    ctx.set('Cache-Control', 'no-cache');
    ctx.type = file.type;
    ctx.body = file.body;
  };
}
