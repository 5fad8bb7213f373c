// Runs fetch() calls inside pages of a headless chromium and prints their outcomes as JSON.
// A separate Node process because puppeteer-core is ESM-only and Jest (CommonJS) cannot load it.
// Input (stdin, JSON): { chromium, steps: [{ origin, url, init: { method, body?, headers? } }] }
// Each step runs in a page loaded from `origin` (served by the caller), in order.
// Output (stdout, JSON): [{ ok, status?, etag?, text?, error? }] — `ok: false` when fetch() threw,
// which is how a browser reports a request its CORS checks blocked.
import puppeteer from 'puppeteer-core';

const input = JSON.parse(await new Promise((resolve, reject) => {
  let s = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (d) => (s += d));
  process.stdin.on('end', () => resolve(s));
  process.stdin.on('error', reject);
}));

const browser = await puppeteer.launch({
  executablePath: input.chromium,
  headless: true,
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
try {
  const pages = new Map();
  const results = [];
  for (const step of input.steps) {
    let page = pages.get(step.origin);
    if (!page) {
      page = await browser.newPage();
      await page.goto(`${step.origin}/`);
      pages.set(step.origin, page);
    }
    results.push(
      await page.evaluate(async (url, init) => {
        try {
          const r = await fetch(url, { ...init, mode: 'cors' });
          return { ok: true, status: r.status, etag: r.headers.get('ETag'), text: await r.text() };
        } catch (e) {
          return { ok: false, error: String(e) };
        }
      }, step.url, step.init),
    );
  }
  process.stdout.write(JSON.stringify(results));
} finally {
  await browser.close();
}
