-- What a payer's page needs besides a URL to start paying, as a JSON object (WeChat Pay JSAPI: appId,
-- timeStamp, nonceStr, package, signType, paySign); '' for channels and methods that need none.
ALTER TABLE orders ADD COLUMN payment_params TEXT NOT NULL DEFAULT '';
