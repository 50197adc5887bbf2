#!/usr/bin/env node
// Takes a screenshot of a page of the running app in headless Chromium (Debian's `chromium` package),
// signing in as guest first. Usage: node scripts/screenshot.mjs [path=/] [out=data/screenshots/catalog.png]
// Env: APP_URL (default http://localhost:3000), CHROMIUM_PATH (default /usr/bin/chromium).
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

const [path = '/', out = 'data/screenshots/catalog.png'] =
  process.argv.slice(2);
const base = process.env.APP_URL ?? 'http://localhost:3000';

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
try {
  const page = await browser.newPage({
    viewport: { width: 1440, height: 900 },
  });
  await page.goto(new URL(path, base).toString(), {
    waitUntil: 'networkidle',
    timeout: 120_000,
  });
  const enter = page.getByRole('button', { name: 'Enter' });
  const nav = page.getByRole('navigation', { name: 'sidebar nav' });
  // Either the sign-in page (guest) or the app itself, once the bundle has rendered.
  await enter.or(nav).first().waitFor({ state: 'attached', timeout: 120_000 });
  if (await enter.isVisible()) {
    await enter.click();
  }
  await nav.waitFor({ state: 'attached', timeout: 60_000 });
  await page.waitForLoadState('networkidle');
  // let tables and cards finish loading
  await page.waitForTimeout(Number(process.env.SETTLE_MS ?? 3000));
  mkdirSync(dirname(out), { recursive: true });
  await page.screenshot({ path: out, fullPage: true });
  console.log(`screenshot of ${path}: ${out} (title: ${await page.title()})`);
} finally {
  await browser.close();
}
