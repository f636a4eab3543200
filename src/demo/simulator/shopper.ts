/**
 * One simulated shopper visit: browse, search, look at products, sometimes register or
 * log in, fill a cart, maybe use a coupon, pay with a test card (now and then a declined
 * one) and look at the order. The mix is loosely what a small shop sees in a day.
 */
import { DECLINED_CARD, INSUFFICIENT_FUNDS_CARD, SUCCEEDING_CARD } from '../payment/test-cards.js';
import type { ShopClient } from './http-client.js';
import { sleep, pick } from './pacing.js';
import {
  addToCart,
  applyCoupon,
  checkOut,
  logIn,
  productSlugsIn,
  registerAccount,
  validCard,
} from './shop-flows.js';

const SEARCH_TERMS = [
  'shoe',
  'jacket',
  'coffee',
  'knife',
  'backpack',
  'wool',
  'charger',
  'yoga',
  'lantern',
  'boot',
];
const STREETS = ['Rue de la Loi', 'Kalverstraat', 'Via Roma', 'Calle Mayor', 'Hauptstrasse', 'Rua Augusta'];

export interface ShopperAccount {
  email: string;
  password: string;
  usedWelcomeCoupon: boolean;
}

export interface ShopperTally {
  visits: number;
  registrations: number;
  logins: number;
  ordersPlaced: number;
  paymentsDeclined: number;
}

export interface VisitContext {
  client: ShopClient;
  accounts: ShopperAccount[];
  tally: ShopperTally;
  thinkTimeMs: number;
  signal: AbortSignal;
}

function pickCard(): string {
  const roll = Math.random();
  if (roll < 0.85) return SUCCEEDING_CARD;
  if (roll < 0.93) return DECLINED_CARD;
  if (roll < 0.97) return INSUFFICIENT_FUNDS_CARD;
  return '5555555555554444';
}

const FIRST_NAMES = [
  'anna',
  'ben',
  'chloe',
  'david',
  'elena',
  'felix',
  'giulia',
  'hugo',
  'ines',
  'jonas',
  'karin',
  'lucas',
  'maria',
  'nils',
  'olga',
  'paul',
  'rosa',
  'sven',
  'tara',
  'umberto',
  'vera',
  'will',
  'yasmin',
  'zoe',
  'amir',
  'bea',
  'carlos',
  'dora',
  'emil',
  'fatima',
];
const LAST_NAMES = [
  'keller',
  'martin',
  'rossi',
  'dubois',
  'garcia',
  'schmidt',
  'novak',
  'jensen',
  'silva',
  'weber',
  'moreau',
  'ricci',
  'lopez',
  'fischer',
  'kowalski',
  'hansen',
  'costa',
  'wagner',
  'bernard',
  'conti',
  'ortiz',
  'becker',
  'laurent',
  'greco',
  'navarro',
  'hoffmann',
  'petit',
  'marino',
  'ruiz',
  'koch',
];
const MAIL_DOMAINS = ['example.test', 'mail.example.test', 'post.example.test', 'inbox.example.test'];

async function think(ctx: VisitContext): Promise<void> {
  await sleep(Math.random() * ctx.thinkTimeMs, ctx.signal);
}

async function signIn(ctx: VisitContext): Promise<ShopperAccount | null> {
  if (ctx.accounts.length > 0 && Math.random() < 0.5) {
    const account = pick(ctx.accounts);
    const res = await logIn(ctx.client, account.email, account.password);
    if (res.status !== 303) return null;
    ctx.tally.logins++;
    return account;
  }
  const n = Math.floor(Math.random() * 1e9).toString(36);
  const first = pick(FIRST_NAMES);
  const last = pick(LAST_NAMES);
  const account = {
    // People's addresses, not a pattern: a run of shopper-1, shopper-2... is what fake accounts look like.
    email: `${first}${pick(['.', '_', ''])}${last}${Math.random() < 0.5 ? Math.floor(Math.random() * 100) : ''}@${pick(MAIL_DOMAINS)}`,
    password: `pw-${n}-secret`,
    usedWelcomeCoupon: false,
  };
  const res = await registerAccount(ctx.client, { ...account, name: `Shopper ${n}` });
  if (res.status !== 303) return null;
  ctx.tally.registrations++;
  if (ctx.accounts.length < 200) ctx.accounts.push(account);
  return account;
}

export async function shopperVisit(ctx: VisitContext): Promise<void> {
  ctx.tally.visits++;
  const home = await ctx.client.get('/');
  let slugs = productSlugsIn(home.body);
  await think(ctx);
  if (Math.random() < 0.6) {
    const found = productSlugsIn((await ctx.client.get(`/search?q=${pick(SEARCH_TERMS)}`)).body);
    if (found.length > 0) slugs = found;
    await think(ctx);
  }
  if (slugs.length === 0) return;
  const viewed: string[] = [];
  for (let i = 0, n = 1 + Math.floor(Math.random() * 3); i < n; i++) {
    const slug = pick(slugs);
    await ctx.client.get(`/products/${slug}`);
    viewed.push(slug);
    await think(ctx);
  }
  if (Math.random() < 0.3) return; // just browsing

  const account = await signIn(ctx);
  if (!account) return;
  for (const slug of new Set(viewed.slice(0, 2)))
    await addToCart(ctx.client, slug, 1 + Math.floor(Math.random() * 2));
  await think(ctx);
  if (!account.usedWelcomeCoupon && Math.random() < 0.4) {
    const res = await applyCoupon(ctx.client, 'WELCOME10');
    account.usedWelcomeCoupon = res.status === 200;
  }
  const address = `${1 + Math.floor(Math.random() * 200)} ${pick(STREETS)}, ${1000 + Math.floor(Math.random() * 9000)}`;
  const { orderId } = await checkOut(ctx.client, validCard(pickCard()), address);
  if (orderId === null) {
    ctx.tally.paymentsDeclined++;
    return;
  }
  ctx.tally.ordersPlaced++;
  await think(ctx);
  await ctx.client.get(`/orders/${orderId}`);
  if (Math.random() < 0.5) await ctx.client.get('/orders');
}
