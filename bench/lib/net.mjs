// Network helpers shared by the benchmarks that run `tilt up`.

import http from 'node:http';
import net from 'node:net';

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((res) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

/** The body at `url`, or '' when nothing answers (within 2 s). */
export function get(url, headers = {}) {
  return new Promise((res) => {
    const req = http.get(url, { timeout: 2000, headers }, (r) => {
      let body = '';
      r.setEncoding('utf8');
      r.on('data', (c) => (body += c));
      r.on('end', () => res(body));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => res(''));
  });
}
