/**
 * The nginx baselines of the gateway benchmark (bench/gateway.ts): one nginx master with one
 * worker, serving `return 200` on one port and a keep-alive reverse proxy to the benchmark's
 * upstream on another, everything (config, pid, temp files) inside the run's temp folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export async function startNginx(
  dir: string,
  upstreamPort: number,
): Promise<{ returnPort: number; proxyPort: number; child: ChildProcess }> {
  const [returnPort, proxyPort] = [await freePort(), await freePort()];
  const conf = `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  upstream shop { server 127.0.0.1:${upstreamPort}; keepalive 64; }
  server { listen 127.0.0.1:${returnPort}; location / { return 200 'ok'; } }
  server { listen 127.0.0.1:${proxyPort};
    location / { proxy_pass http://shop; proxy_http_version 1.1; proxy_set_header Connection ""; } }
}
`;
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const child = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], {
    stdio: 'inherit',
  });
  await new Promise((resolve) => setTimeout(resolve, 500));
  return { returnPort, proxyPort, child };
}
