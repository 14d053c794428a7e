// SPDX-License-Identifier: Apache-2.0
// The real-browser test of devpayd's pages, run by tests/pages.bats:
// headless Chromium (the Debian package) driven by playwright-core.
//   node pages.js URL CODE ACCESS_KEY SECRET PERIOD NOW CSV_FILE
// signs in from the purchase page, subscribes, reads the Application
// Billing page's total, downloads its CSV into CSV_FILE, tries another
// account's report (refused), signs out, and prints one line of JSON:
// {"subscribed", "total", "csvName", "refused", "signedOut"}. Exit 77:
// Chromium could not start (the test skips).
'use strict';
const { chromium } = require('playwright-core');

const [url, code, key, secret, period, now, csvFile] = process.argv.slice(2);
const exe = process.env.CHROMIUM || '/usr/bin/chromium';

async function main() {
	let browser;
	try {
		browser = await chromium.launch({ executablePath: exe, headless: true,
			args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'], timeout: 60000 });
	} catch (e) {
		console.error(`chromium cannot start: ${e.message.split('\n')[0]}`);
		process.exit(77);
	}
	const out = {};
	try {
		const context = await browser.newContext({ acceptDownloads: true });
		if (now)
			await context.setExtraHTTPHeaders({ 'X-Devpay-Now': now });
		const page = await context.newPage();
		page.setDefaultTimeout(20000);
		// the purchase page, not signed in: a link to sign in that comes back
		await page.goto(`${url}/purchase/${code}`);
		if (!(await page.textContent('main')).includes(code))
			throw new Error('the purchase page does not name the product code');
		await page.click('main a[href^="/signin"]');
		await page.fill('#access_key', key);
		await page.fill('#secret_key', secret);
		await Promise.all([page.waitForURL(`**/purchase/${code}`), page.click('main button[type=submit]')]);
		// subscribe
		await page.click('text=Subscribe');
		const notice = await page.textContent('.notice').catch(() => '');
		out.subscribed = /subscribed/.test(notice || '');
		// the bill: its TOTAL ALL row
		await page.goto(`${url}/bill?period=${period}`);
		const row = page.locator('tr', { has: page.locator('th', { hasText: /^ALL total$/ }) });
		out.total = (await row.locator('td').textContent()).trim();
		// its CSV, as the browser saves it
		const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=Download CSV')]);
		out.csvName = download.suggestedFilename();
		await download.saveAs(csvFile);
		// another account's product report: refused as the API refuses it
		const other = await page.goto(`${url}/activity?period=${period}&product=${code}`);
		out.refused = other.status() === 403 && !(await page.content()).includes('<svg');
		// sign out: the bill asks to sign in again
		await page.click('text=Sign out');
		await page.goto(`${url}/bill?period=${period}`);
		out.signedOut = page.url().includes('/signin') && (await page.isVisible('#secret_key'));
	} finally {
		await browser.close();
	}
	console.log(JSON.stringify(out));
}

main().catch((e) => {
	console.error(e.stack || String(e));
	process.exit(1);
});
