// Checks requests signed by paygate's Alipay adapter with the official SDK's own signing rule (alipay-sdk's
// util.js: keys sorted, `${key}=${value}` joined by '&', RSA-SHA256) and the application's public key.
// Usage: node verify_our_requests.js <alipay.json> <signed URL made by the adapter>
'use strict';
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');

const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const url = new URL(process.argv[3]);
const appPublicKey = crypto.createPublicKey(config.app_private_key).export({ type: 'spki', format: 'pem' });

// The SDK's rule, as in alipay-sdk/dist/commonjs/util.js sign(): every parameter but sign, sorted by key.
function sdkSignString(params) {
  return Object.keys(params).filter((key) => key !== 'sign').sort()
    .map((key) => `${key}=${params[key]}`).join('&');
}

const params = Object.fromEntries(url.searchParams);
assert.equal(params.sign_type, 'RSA2');
assert.equal(params.app_id, config.app_id);
assert.ok(Object.values(params).every((value) => value !== ''), 'no empty parameter is ever sent');
const verifies = crypto.createVerify('RSA-SHA256').update(sdkSignString(params), 'utf8')
  .verify(appPublicKey, params.sign, 'base64');
assert.equal(verifies, true, 'the SDK rule verifies our signature');
const tampered = { ...params, biz_content: params.biz_content.replace('"1.00"', '"0.01"') };
assert.equal(crypto.createVerify('RSA-SHA256').update(sdkSignString(tampered), 'utf8')
  .verify(appPublicKey, params.sign, 'base64'), false);
console.log(`adapter request (${params.method}) verified by the SDK's signing rule`);
