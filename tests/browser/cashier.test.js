// The cashier page in headless Chromium at phone width: load it, choose Alipay (and WeChat Pay for a second order), see the QR code, pay in the
// sandbox, and watch the status turn to paid without a reload (Server-Sent Events from the gateway).
// Usage: node cashier.test.js <cashier_url> <screenshot.png>
'use strict';
const assert = require('node:assert/strict');
const { chromium } = require('playwright-core');

async function main() {
  const [cashierUrl, screenshot] = process.argv.slice(2);
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
    const errors = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(cashierUrl);
    await page.waitForSelector('#status[data-status="pending"]');
    assert.equal(await page.isVisible('#open'), false, 'no pay link before a channel is chosen');
    assert.equal(await page.isVisible('#sandbox-pay'), false);
    assert.equal(await page.textContent('#amount'), '¥9.90');
    assert.equal(await page.textContent('#subject'), '咖啡 <b>not bold</b>', 'the subject is text, never markup');

    await page.click('button[data-channel="alipay"]');
    await page.waitForSelector('#qr svg');
    const box = await page.locator('#qr svg').boundingBox();
    assert.ok(box.width > 100 && box.width <= 390, `the QR code fits a phone screen (${box.width}px)`);

    await page.click('#sandbox-pay');
    // No reload: the status flips when the gateway pushes the paid state.
    await page.waitForSelector('#status[data-status="succeeded"]', { timeout: 15000 });
    assert.match(await page.textContent('#status'), /Paid/);
    assert.equal(await page.locator('#qr svg').count(), 0, 'the QR code goes away once paid');
    assert.equal(await page.isVisible('#sandbox-pay'), false, 'nothing left to pay');
    assert.equal(await page.isVisible('#open'), false);
    assert.deepEqual(errors, []);
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log('cashier page: chose Alipay, paid in sandbox, saw "paid"');

    // A page-pay order: the payer's browser follows the signed URL to the (sandbox) Alipay page and pays there.
    const payUrl = process.argv[4];
    if (payUrl) {
      const alipayPage = await browser.newPage({ viewport: { width: 390, height: 844 } });
      await alipayPage.goto(payUrl);
      assert.equal(await alipayPage.textContent('#amount'), '¥1.00');
      await alipayPage.click('#pay');
      await alipayPage.waitForSelector('#result:has-text("Paid")');
      const cashierOfPageOrder = process.argv[5];
      await alipayPage.goto(cashierOfPageOrder);
      await alipayPage.waitForSelector('#status[data-status="succeeded"]', { timeout: 15000 });
      console.log('page pay: the signed URL opened the sandbox pay page, paying there turned the order paid');
    }

    // Another cashier order, paid with WeChat Pay: its native QR code, then the encrypted callback.
    const wechatCashier = process.argv[6];
    if (wechatCashier) {
      const wechatPage = await browser.newPage({ viewport: { width: 390, height: 844 } });
      await wechatPage.goto(wechatCashier);
      await wechatPage.waitForSelector('#status[data-status="pending"]');
      await wechatPage.click('button[data-channel="wechatpay"]');
      await wechatPage.waitForSelector('#qr svg');
      assert.equal(await wechatPage.isVisible('#open'), false, 'a native order is scanned, not opened');
      await wechatPage.click('#sandbox-pay');
      await wechatPage.waitForSelector('#status[data-status="succeeded"]', { timeout: 15000 });
      console.log('cashier page: chose WeChat Pay, paid in sandbox, saw "paid"');
    }
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
