// wechatpay-axios-plugin (npm, pinned) configured from the sandbox's wechatpay.json calls the sandbox:
// native, jsapi, query, close, refund and refund query. The SDK verifies every answer's signature with the
// platform certificates before it hands back data, so each call returning is a verification that passed.
// The sandbox's own callbacks (payment and refund) arrive at a server here and are checked with the SDK's
// Rsa, Formatter and Aes.AesGcm helpers. Usage: node sdk_against_sandbox.js wechatpay.json
'use strict';
const assert = require('assert');
const fs = require('fs');
const http = require('http');
const { Wechatpay, Rsa, Formatter, Aes: { AesGcm } } = require('wechatpay-axios-plugin');

const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const certs = {};
for (const [serial, pem] of Object.entries(config.platform_certificates)) certs[serial] = pem;
const wxpay = new Wechatpay({
  mchid: config.mchid, serial: config.merchant_serial, privateKey: config.merchant_private_key, certs,
  baseURL: config.base_url,
});
const platformKeys = certs;  // Rsa.verify takes the PEM certificate itself

// Callbacks from the sandbox, verified and decrypted with the SDK's helpers, by event type.
const received = [];
let waiters = [];
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString();
    const ts = req.headers['wechatpay-timestamp'];
    const nonce = req.headers['wechatpay-nonce'];
    const serial = req.headers['wechatpay-serial'];
    const signature = req.headers['wechatpay-signature'];
    assert.ok(platformKeys[serial], `callback signed by unknown serial ${serial}`);
    assert.ok(Rsa.verify(Formatter.response(ts, nonce, body), signature, platformKeys[serial]), 'callback signature');
    assert.ok(Math.abs(Formatter.timestamp() - Number(ts)) <= 300, 'callback timestamp');
    const callback = JSON.parse(body);
    const { ciphertext, nonce: iv, associated_data: aad } = callback.resource;
    const plain = JSON.parse(AesGcm.decrypt(iv, config.apiv3_key, ciphertext, aad));  // 0.8: (iv, key, ciphertext, aad)
    received.push({ event: callback.event_type, plain });
    res.writeHead(204).end();
    waiters.forEach((w) => w());
    waiters = [];
  });
});

async function callback(event, match) {
  const deadline = Date.now() + 10000;
  for (;;) {
    const found = received.find((r) => r.event === event && match(r.plain));
    if (found) return found.plain;
    assert.ok(Date.now() < deadline, `no ${event} callback`);
    await new Promise((resolve) => { waiters.push(resolve); setTimeout(resolve, 200); });
  }
}

async function pay(outTradeNo) {
  const response = await fetch(`${config.base_url}/sandbox/wechatpay/pay`, {
    method: 'POST', body: JSON.stringify({ mchid: config.mchid, out_trade_no: outTradeNo }),
  });
  assert.strictEqual(response.status, 200);
}

async function main() {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const notifyUrl = `http://127.0.0.1:${server.address().port}/wechatpay`;
  const suffix = Date.now().toString(36);
  const outTradeNo = `sdk-native-${suffix}`;

  const native = await wxpay.v3.pay.transactions.native.post({
    appid: config.appid, mchid: config.mchid, description: 'SDK 测试', out_trade_no: outTradeNo,
    notify_url: notifyUrl, amount: { total: 990, currency: 'CNY' },
  });
  assert.match(native.data.code_url, /^weixin:\/\/wxpay\/bizpayurl\?pr=/);

  const jsapi = await wxpay.v3.pay.transactions.jsapi.post({
    appid: config.appid, mchid: config.mchid, description: 'SDK jsapi', out_trade_no: `sdk-jsapi-${suffix}`,
    notify_url: notifyUrl, amount: { total: 100 }, payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' },
  });
  assert.match(jsapi.data.prepay_id, /^wx/);

  const waiting = await wxpay.v3.pay.transactions.outTradeNo._out_trade_no_.get({
    params: { mchid: config.mchid }, out_trade_no: outTradeNo,
  });
  assert.strictEqual(waiting.data.trade_state, 'NOTPAY');

  await pay(outTradeNo);
  const paid = await callback('TRANSACTION.SUCCESS', (p) => p.out_trade_no === outTradeNo);
  assert.strictEqual(paid.trade_state, 'SUCCESS');
  assert.strictEqual(paid.amount.total, 990);
  assert.strictEqual(paid.mchid, config.mchid);
  const queried = await wxpay.v3.pay.transactions.outTradeNo._out_trade_no_.get({
    params: { mchid: config.mchid }, out_trade_no: outTradeNo,
  });
  assert.strictEqual(queried.data.trade_state, 'SUCCESS');
  assert.strictEqual(queried.data.transaction_id, paid.transaction_id);

  const closeMe = `sdk-close-${suffix}`;
  await wxpay.v3.pay.transactions.native.post({
    appid: config.appid, mchid: config.mchid, description: 'to close', out_trade_no: closeMe,
    notify_url: notifyUrl, amount: { total: 1 },
  });
  const closed = await wxpay.v3.pay.transactions.outTradeNo._out_trade_no_.close.post(
    { mchid: config.mchid }, { out_trade_no: closeMe });
  assert.strictEqual(closed.status, 204);

  const outRefundNo = `sdk-refund-${suffix}`;
  const refund = await wxpay.v3.refund.domestic.refunds.post({
    out_trade_no: outTradeNo, out_refund_no: outRefundNo, reason: '测试', notify_url: notifyUrl,
    amount: { refund: 300, total: 990, currency: 'CNY' },
  });
  assert.ok(['PROCESSING', 'SUCCESS'].includes(refund.data.status));
  const refunded = await callback('REFUND.SUCCESS', (p) => p.out_refund_no === outRefundNo);
  assert.strictEqual(refunded.refund_status, 'SUCCESS');
  assert.strictEqual(refunded.amount.refund, 300);
  const refundQuery = await wxpay.v3.refund.domestic.refunds._out_refund_no_.get({ out_refund_no: outRefundNo });
  assert.strictEqual(refundQuery.data.status, 'SUCCESS');
  assert.strictEqual(refundQuery.data.amount.refund, 300);

  // A refusal is an HTTP error the SDK surfaces with WeChat's code.
  await assert.rejects(
    wxpay.v3.refund.domestic.refunds.post({
      out_trade_no: outTradeNo, out_refund_no: `${outRefundNo}-2`, amount: { refund: 9999, total: 990, currency: 'CNY' },
    }),
    (error) => error.response && error.response.status === 400 && error.response.data.code === 'INVALID_REQUEST');

  // The same SDK holding the wrong key for the sandbox's serial refuses the answer: verification is real.
  const { publicKey: stranger } = require('crypto').generateKeyPairSync('rsa', { modulusLength: 2048 });
  const wrong = new Wechatpay({
    mchid: config.mchid, serial: config.merchant_serial, privateKey: config.merchant_private_key,
    certs: Object.fromEntries(Object.keys(certs).map((s) => [s, stranger.export({ type: 'spki', format: 'pem' })])),
    baseURL: config.base_url,
  });
  await assert.rejects(wrong.v3.pay.transactions.outTradeNo._out_trade_no_.get({
    params: { mchid: config.mchid }, out_trade_no: outTradeNo,
  }), (error) => /Verify the response/.test(error.message));

  server.close();
  console.log('wechatpay-axios-plugin against the sandbox: native, jsapi, query, close, refund, refund query, callbacks: ok');
}

main().catch((error) => {
  console.error(error.response ? { status: error.response.status, data: error.response.data } : error);
  process.exit(1);
});
