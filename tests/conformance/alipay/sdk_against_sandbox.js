// The official Alipay Node SDK (alipay-sdk, pinned in package.json) against paygate's Alipay sandbox:
// every call with validateSign, and checkNotifySignV2 as the referee for the sandbox's notifies.
// Usage: node sdk_against_sandbox.js <data-dir>/sandbox/alipay.json
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const { AlipaySdk } = require('alipay-sdk');

const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const sandboxBase = config.gateway_url.replace(/\/gateway\.do$/, '');
const sdk = new AlipaySdk({
  appId: config.app_id,
  privateKey: config.app_private_key,
  alipayPublicKey: config.alipay_public_key,
  gateway: config.gateway_url,
  keyType: 'PKCS8',
  camelcase: false,
});
const run = Date.now().toString(36);
const signed = { validateSign: true };

async function pay(outTradeNo) {
  const response = await fetch(`${sandboxBase}/sandbox/alipay/pay`, {
    method: 'POST',
    body: JSON.stringify({ app_id: config.app_id, out_trade_no: outTradeNo }),
  });
  assert.equal(response.status, 200, await response.text());
}

// A merchant notify endpoint: resolves with the first notify it receives and answers "success".
function notifyEndpoint() {
  let deliver;
  const received = new Promise((resolve) => { deliver = resolve; });
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      res.end('success');
      deliver(Object.fromEntries(new URLSearchParams(body)));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, received })));
}

async function main() {
  // precreate, query, pay, query.
  const tradeNo = `sdk-${run}-1`;
  const created = await sdk.exec('alipay.trade.precreate',
    { bizContent: { out_trade_no: tradeNo, total_amount: '9.90', subject: 'SDK 咖啡' } }, signed);
  assert.equal(created.code, '10000');
  assert.ok(created.qr_code.includes('/sandbox/alipay/qr/'));
  const waiting = await sdk.exec('alipay.trade.query', { bizContent: { out_trade_no: tradeNo } }, signed);
  assert.equal(waiting.trade_status, 'WAIT_BUYER_PAY');
  await pay(tradeNo);
  const paid = await sdk.exec('alipay.trade.query', { bizContent: { out_trade_no: tradeNo } }, signed);
  assert.equal(paid.trade_status, 'TRADE_SUCCESS');
  assert.equal(paid.total_amount, '9.90');

  // refund, refund query.
  const refund = await sdk.exec('alipay.trade.refund',
    { bizContent: { out_trade_no: tradeNo, refund_amount: '1.00', out_request_no: 'r1' } }, signed);
  assert.equal(refund.fund_change, 'Y');
  assert.equal(refund.refund_fee, '1.00');
  const refunded = await sdk.exec('alipay.trade.fastpay.refund.query',
    { bizContent: { out_trade_no: tradeNo, out_request_no: 'r1' } }, signed);
  assert.equal(refunded.refund_status, 'REFUND_SUCCESS');

  // close, and a signed business failure.
  const closeNo = `sdk-${run}-2`;
  await sdk.exec('alipay.trade.precreate',
    { bizContent: { out_trade_no: closeNo, total_amount: '1.00', subject: 'close me' } }, signed);
  const closed = await sdk.exec('alipay.trade.close', { bizContent: { out_trade_no: closeNo } }, signed);
  assert.equal(closed.code, '10000');
  const missing = await sdk.exec('alipay.trade.query', { bizContent: { out_trade_no: `sdk-${run}-none` } }, signed);
  assert.equal(missing.sub_code, 'ACQ.TRADE_NOT_EXIST');

  // The SDK's own check must fail against a wrong Alipay public key: validateSign really verifies.
  const otherKey = require('node:crypto').generateKeyPairSync('rsa', { modulusLength: 2048 })
    .publicKey.export({ type: 'spki', format: 'pem' });
  const distrusting = new AlipaySdk({ ...sdk.config, alipayPublicKey: otherKey });
  await assert.rejects(
    distrusting.exec('alipay.trade.query', { bizContent: { out_trade_no: tradeNo } }, signed), /验签失败/);

  // The notify the sandbox sends passes checkNotifySignV2, and fails it once tampered.
  const { server, received } = await notifyEndpoint();
  const notifyNo = `sdk-${run}-3`;
  await sdk.exec('alipay.trade.precreate', {
    notify_url: `http://127.0.0.1:${server.address().port}/notify/alipay/acct-1`,
    bizContent: { out_trade_no: notifyNo, total_amount: '0.01', subject: '通知' },
  }, signed);
  await pay(notifyNo);
  const notify = await received;
  server.close();
  assert.equal(notify.out_trade_no, notifyNo);
  assert.equal(notify.trade_status, 'TRADE_SUCCESS');
  assert.equal(sdk.checkNotifySignV2({ ...notify }), true);
  assert.equal(sdk.checkNotifySignV2({ ...notify, total_amount: '100.00' }), false);
  console.log('alipay-sdk conformance: all calls verified');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
