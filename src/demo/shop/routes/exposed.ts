/**
 * The exposed files of vulnerable mode (flaws `exposed-dotenv`, `exposed-git-config`):
 * fake but realistic-looking secrets, so scanners and the path-probing scenario find
 * something. In safe mode these routes are not registered and the paths answer 404.
 */
import type { FastifyInstance } from 'fastify';

// Fake values: they look real to a scanner but unlock nothing anywhere.
export const FAKE_DOTENV = `APP_ENV=production
APP_DEBUG=false
APP_URL=https://shop.example.com
DATABASE_URL=postgres://shop:Sh0pDbP4ss-2024@db.internal:5432/shop
REDIS_URL=redis://:r3d1sS3cret@cache.internal:6379/0
SESSION_SECRET=8f3c1e9a7b2d4f6081a3c5e7d9f1b3a5
PAYMENT_SECRET_KEY=sk_live_FAKE0000demo0000ensuresec0000key
PAYMENT_WEBHOOK_SECRET=whsec_FAKEdemo0123456789abcdef
SMTP_PASSWORD=mailer-FAKE-passw0rd
AWS_ACCESS_KEY_ID=AKIAFAKEDEMO00000000
AWS_SECRET_ACCESS_KEY=FAKEdemo/ensuresec0000000000000000000000
`;

export const FAKE_GIT_CONFIG = `[core]
\trepositoryformatversion = 0
\tfilemode = true
\tbare = false
\tlogallrefupdates = true
[remote "origin"]
\turl = https://deploy-bot:ghp_FAKEdemoEnsuresec000000000000000000@github.com/example-shop/storefront.git
\tfetch = +refs/heads/*:refs/remotes/origin/*
[branch "main"]
\tremote = origin
\tmerge = refs/heads/main
`;

export function registerExposedFiles(app: FastifyInstance): void {
  app.get('/.env', async (_req, reply) => reply.type('text/plain; charset=utf-8').send(FAKE_DOTENV));
  app.get('/.git/config', async (_req, reply) =>
    reply.type('text/plain; charset=utf-8').send(FAKE_GIT_CONFIG),
  );
  app.get('/.git/HEAD', async (_req, reply) =>
    reply.type('text/plain; charset=utf-8').send('ref: refs/heads/main\n'),
  );
}
