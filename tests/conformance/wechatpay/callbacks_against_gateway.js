// Callbacks built with wechatpay-axios-plugin's own helpers (Rsa.sign, Aes.AesGcm.encrypt, Formatter), signed
// with the sandbox's platform key, posted to paygate's /notify/wechatpay/{account}: the genuine one is
// acknowledged (204) and pays the order; every single-field tamper, a wrong signing key, a wrong APIv3 key,
// a stale timestamp, an unknown serial, a wrong mchid or amount is refused (4xx, {"code":"FAIL"}) and
// changes nothing; a replay is acknowledged and changes nothing.
// Usage: node callbacks_against_gateway.js PAYGATE_BINARY DATA_DIR
'use strict';
const assert = require('assert');
const fs = require('fs');
const { execFileSync } = require('child_process');
const { generateKeyPairSync } = require('crypto');
const { Rsa, Formatter, Aes: { AesGcm } } = require('wechatpay-axios-plugin');

const [binary, dataDir] = process.argv.slice(2);
const config = JSON.parse(fs.readFileSync(`${dataDir}/sandbox/wechatpay.json`, 'utf8'));
const platformKey = fs.readFileSync(`${dataDir}/sandbox/wechatpay_platform_key.pem`, 'utf8');
const serial = Object.keys(config.platform_certificates)[0];
const gateway = `http://${fs.readFileSync(`${dataDir}/paygate.addr`, 'utf8').trim()}`;
const notifyUrl = `${gateway}/notify/wechatpay/wechatpay-sandbox`;

function api(method, target, body) {
  const args = ['api', '--data-dir', dataDir, method, target];
  if (body !== undefined) args.push(JSON.stringify(body));
  return JSON.parse(execFileSync(binary, args, { stdio: ['ignore', 'pipe', 'ignore'] }).toString()).data;
}

function transaction(order, overrides = {}) {
  return {
    appid: config.appid, mchid: config.mchid, out_trade_no: order.order_id,
    transaction_id: '4200001234202611220000000001', trade_type: 'NATIVE', trade_state: 'SUCCESS',
    trade_state_desc: '支付成功', bank_type: 'OTHERS', success_time: '2026-11-22T10:34:56+08:00',
    payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' },
    amount: { total: order.amount, payer_total: order.amount, currency: 'CNY', payer_currency: 'CNY' },
    ...overrides,
  };
}

// The callback exactly as WeChat Pay sends it: JSON body and the four Wechatpay-* headers.
function build(plain, { key = platformKey, apiv3 = config.apiv3_key, timestamp = Formatter.timestamp(),
  serialNo = serial, id = `EV-${Formatter.nonce(12)}` } = {}) {
  const nonce = Formatter.nonce(12);
  const body = JSON.stringify({
    id, create_time: '2026-11-22T10:34:56+08:00', resource_type: 'encrypt-resource',
    event_type: 'TRANSACTION.SUCCESS', summary: '支付成功',
    resource: {
      original_type: 'transaction', algorithm: 'AEAD_AES_256_GCM', associated_data: 'transaction', nonce,
      ciphertext: AesGcm.encrypt(nonce, apiv3, JSON.stringify(plain), 'transaction'),
    },
  });
  const headerNonce = Formatter.nonce();
  return {
    body,
    headers: {
      'Wechatpay-Timestamp': `${timestamp}`, 'Wechatpay-Nonce': headerNonce, 'Wechatpay-Serial': serialNo,
      'Wechatpay-Signature': Rsa.sign(Formatter.response(timestamp, headerNonce, body), key),
    },
  };
}

async function post({ body, headers }) {
  const response = await fetch(notifyUrl, { method: 'POST', body, headers: { ...headers, 'Content-Type': 'application/json' } });
  return { status: response.status, text: await response.text() };
}

async function refused(name, callback, order) {
  const answer = await post(callback);
  assert.ok(answer.status >= 400 && answer.status < 500, `${name}: answered ${answer.status}`);
  assert.strictEqual(JSON.parse(answer.text).code, 'FAIL', `${name}: body ${answer.text}`);
  const now = api('GET', `/api/v1/orders/${order.order_id}`);
  assert.strictEqual(now.status, 'pending', `${name} changed the order`);
  assert.strictEqual(now.updated_at, order.updated_at, `${name} touched the order`);
}

async function main() {
  const order = api('POST', '/api/v1/orders', {
    out_trade_no: `cb-${Date.now()}`, amount: 1288, subject: '回调 conformance', channel: 'wechatpay', method: 'native',
  });
  const genuine = build(transaction(order));

  // Each single field of the signed message changed (body bytes and every header) breaks the signature.
  const parsed = JSON.parse(genuine.body);
  for (const field of ['id', 'create_time', 'event_type', 'summary', 'resource_type']) {
    const copy = { ...parsed, [field]: `${parsed[field]}x` };
    await refused(`tampered ${field}`, { body: JSON.stringify(copy), headers: genuine.headers }, order);
  }
  for (const field of ['ciphertext', 'nonce', 'associated_data', 'algorithm']) {
    const copy = { ...parsed, resource: { ...parsed.resource, [field]: `${parsed.resource[field]}x` } };
    await refused(`tampered resource.${field}`, { body: JSON.stringify(copy), headers: genuine.headers }, order);
  }
  for (const header of ['Wechatpay-Timestamp', 'Wechatpay-Nonce', 'Wechatpay-Signature']) {
    const value = genuine.headers[header];
    const changed = header === 'Wechatpay-Timestamp' ? `${Number(value) - 1}` : `${value.slice(0, -2)}A=`;
    await refused(`tampered ${header}`, { body: genuine.body, headers: { ...genuine.headers, [header]: changed } }, order);
  }
  const { privateKey: stranger } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  await refused('wrong signing key', build(transaction(order), { key: stranger.export({ type: 'pkcs8', format: 'pem' }) }), order);
  await refused('wrong APIv3 key', build(transaction(order), { apiv3: 'A'.repeat(32) }), order);
  await refused('stale timestamp', build(transaction(order), { timestamp: Formatter.timestamp() - 301 }), order);
  await refused('unknown serial', build(transaction(order), { serialNo: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1' }), order);
  await refused('another mchid', build(transaction(order, { mchid: '1230000109' })), order);
  await refused('another amount', build(transaction(order, { amount: { total: order.amount - 1, payer_total: order.amount - 1, currency: 'CNY' } })), order);
  await refused('unknown order', build(transaction({ ...order, order_id: '20261122000000000AAAAAAAAAAAA' })), order);
  const missing = { ...genuine.headers };
  delete missing['Wechatpay-Serial'];
  await refused('missing Wechatpay-Serial', { body: genuine.body, headers: missing }, order);

  const accepted = await post(genuine);
  assert.strictEqual(accepted.status, 204, `genuine callback: ${accepted.status} ${accepted.text}`);
  const paid = api('GET', `/api/v1/orders/${order.order_id}`);
  assert.strictEqual(paid.status, 'succeeded');
  assert.strictEqual(paid.channel_trade_no, '4200001234202611220000000001');
  const events = api('GET', `/api/v1/events?order_id=${order.order_id}`);

  const replay = await post(genuine);
  assert.strictEqual(replay.status, 204, 'a replay is acknowledged');
  const after = api('GET', `/api/v1/orders/${order.order_id}`);
  assert.strictEqual(after.updated_at, paid.updated_at, 'the replay changed the order');
  assert.deepStrictEqual(api('GET', `/api/v1/events?order_id=${order.order_id}`), events, 'the replay wrote an event');
  console.log('callbacks built with wechatpay-axios-plugin against paygate: genuine, 20 refusals, replay: ok');
}

main().catch((error) => { console.error(error); process.exit(1); });
