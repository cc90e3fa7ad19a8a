// The web UI's files (the Vite build in dist/web), index.html for every other
// path (the UI's own routes, such as /r/NAME/overview), and the token cookie
// on all of them: loading the page is how a browser gets it.

import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/web next to dist/server, where `npm run build` puts the UI. */
export function defaultWebRoot(): string {
  // dist/server/ → dist/web/; run from src/ (tests), the build is still in dist/web/.
  const beside = fileURLToPath(new URL('../web/', import.meta.url));
  const built = fileURLToPath(new URL('../../dist/web/', import.meta.url));
  return existsSync(join(beside, 'index.html')) || !existsSync(built) ? beside : built;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

/** Vite names what it puts under /assets/ by content hash: a URL there never changes. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

const PAGE_HEADERS = {
  'x-content-type-options': 'nosniff',
  // Another site must not frame the UI and steer clicks onto its buttons.
  'x-frame-options': 'DENY',
  'content-security-policy': "frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
};

const NOT_BUILT = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Tilt</title></head>
<body>
<h1>Tilt is running</h1>
<p>The web UI is not built. Run <code>npm run build</code> and reload this page.</p>
<p>The API is served under <code>/api/</code>.</p>
</body>
</html>
`;

interface Found {
  path: string;
  size: number;
  mtimeMs: number;
}

async function file(path: string): Promise<Found | undefined> {
  try {
    const s = await stat(path);
    return s.isFile() ? { path, size: s.size, mtimeMs: s.mtimeMs } : undefined;
  } catch {
    return undefined;
  }
}

export function createStatic(
  webRoot: string,
  cookie: string,
): (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> {
  const root = resolve(webRoot);

  const plain = (res: ServerResponse, status: number, text: string, headers = {}) => {
    res.writeHead(status, {
      ...PAGE_HEADERS,
      'content-type': 'text/plain; charset=utf-8',
      'set-cookie': cookie,
      ...headers,
    });
    res.end(`${text}\n`);
  };

  const send = async (
    req: IncomingMessage,
    res: ServerResponse,
    f: Found,
    cacheControl: string,
  ) => {
    const etag = `W/"${f.size.toString(16)}-${Math.floor(f.mtimeMs).toString(16)}"`;
    const headers = {
      ...PAGE_HEADERS,
      'content-type': TYPES[extname(f.path).toLowerCase()] ?? 'application/octet-stream',
      'cache-control': cacheControl,
      etag,
      'set-cookie': cookie,
    };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    const body = req.method === 'HEAD' ? undefined : await readFile(f.path);
    res.writeHead(200, { ...headers, 'content-length': f.size });
    res.end(body);
  };

  return async (req, res, url) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      plain(res, 405, `${req.method} is not allowed`, { allow: 'GET, HEAD' });
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      plain(res, 400, 'bad escape in path');
      return;
    }
    if (path.includes('\0')) {
      plain(res, 400, 'bad path');
      return;
    }
    const full = join(root, normalize(path));
    const inside = full === root || full.startsWith(root + sep);
    const asset = path.startsWith('/assets/');
    const found = inside && path !== '/' ? await file(full) : undefined;
    if (found) {
      await send(req, res, found, asset ? IMMUTABLE : 'no-cache');
      return;
    }
    if (asset) {
      plain(res, 404, 'not found');
      return;
    }
    const index = await file(join(root, 'index.html'));
    if (index) {
      await send(req, res, index, 'no-cache');
      return;
    }
    res.writeHead(200, {
      ...PAGE_HEADERS,
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-cache',
      'set-cookie': cookie,
    });
    res.end(req.method === 'HEAD' ? undefined : NOT_BUILT);
  };
}
