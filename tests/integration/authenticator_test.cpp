// Proves the authenticator's checks in order, with a hand-moved clock and merchants in a real SQLite store.
#include <gtest/gtest.h>

#include <future>

#include "app/authenticator.h"
#include "app/merchant_signature.h"
#include "app/nonce_cache.h"
#include "infra/store/sqlite/sqlite_store.h"
#include "tests/integration/harness.h"

namespace paygate::test {
namespace {

class AuthenticatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sqlite::SqliteStoreOptions options;
    options.path = dir_.path() + "/paygate.db";
    options.secrets = test_secret_box();
    store_ = std::move(sqlite::SqliteStore::open(options, metrics_, clock_)).value();
    for (const Merchant& merchant : {Merchant{MerchantId{"mch_on"}, "On", "sk_on", true, 0},
                                     Merchant{MerchantId{"mch_off"}, "Off", "sk_off", false, 0}}) {
      std::promise<Result<Merchant>> done;
      store_->create_merchant(merchant, [&done](Result<Merchant> r) { done.set_value(std::move(r)); });
      ASSERT_TRUE(done.get_future().get().ok());
    }
    directory_ = std::make_unique<MerchantDirectory>(*store_, clock_);
    authenticator_ = std::make_unique<Authenticator>(*directory_, nonces_, clock_, 300);
  }

  Result<Merchant> check(const std::string& merchant_id, const std::string& secret, std::int64_t timestamp_s,
                         const std::string& nonce, const std::string& body = "{}") {
    AuthorizationFields fields{merchant_id, std::to_string(timestamp_s), nonce, ""};
    fields.signature = sign_canonical_request(
        secret, canonical_request("POST", "/api/v1/orders", fields.timestamp, nonce, body));
    header_ = format_authorization(fields);
    return authenticate(SignedRequest{"POST", "/api/v1/orders", header_, body});
  }
  Result<Merchant> authenticate(const SignedRequest& request) {
    return wait_for_completion<Merchant>([&](auto done) { authenticator_->authenticate(request, done); });
  }
  ErrorCode code_of(const Result<Merchant>& result) {
    return result.ok() ? ErrorCode::kInternal : result.error().code;
  }

  TempDir dir_;
  ManualClock clock_{1'700'000'000'000};
  MetricsRegistry metrics_;
  NonceCache nonces_{300'000, 1000};
  std::unique_ptr<sqlite::SqliteStore> store_;
  std::unique_ptr<MerchantDirectory> directory_;
  std::unique_ptr<Authenticator> authenticator_;
  std::string header_;
};

TEST_F(AuthenticatorTest, AcceptsAWellSignedRequestOnce) {
  const std::int64_t now_s = clock_.now_unix_ms() / 1000;
  auto merchant = check("mch_on", "sk_on", now_s, "nonce-0001");
  ASSERT_TRUE(merchant.ok()) << merchant.error().message;
  EXPECT_EQ(merchant->merchant_id.value, "mch_on");
  EXPECT_EQ(code_of(authenticate(SignedRequest{"POST", "/api/v1/orders", header_, "{}"})),
            ErrorCode::kNonceReused);
}

TEST_F(AuthenticatorTest, TheWindowIsPlusMinusThreeHundredSecondsInclusive) {
  const std::int64_t now_s = clock_.now_unix_ms() / 1000;
  EXPECT_TRUE(check("mch_on", "sk_on", now_s - 300, "nonce-edge-1").ok());
  EXPECT_TRUE(check("mch_on", "sk_on", now_s + 300, "nonce-edge-2").ok());
  EXPECT_EQ(code_of(check("mch_on", "sk_on", now_s - 301, "nonce-edge-3")), ErrorCode::kTimestampExpired);
  EXPECT_EQ(code_of(check("mch_on", "sk_on", now_s + 301, "nonce-edge-4")), ErrorCode::kTimestampExpired);
}

TEST_F(AuthenticatorTest, ANonceIsFreeAgainOnlyWhenItsTimestampCouldNoLongerPass) {
  const std::int64_t now_s = clock_.now_unix_ms() / 1000;
  ASSERT_TRUE(check("mch_on", "sk_on", now_s, "nonce-again").ok());
  clock_.advance_ms(299'000);
  EXPECT_EQ(code_of(check("mch_on", "sk_on", now_s, "nonce-again")), ErrorCode::kNonceReused);
  clock_.advance_ms(2'000);
  // The replayed timestamp is now out of the window, so the replay fails on time, not on memory.
  EXPECT_EQ(code_of(check("mch_on", "sk_on", now_s, "nonce-again")), ErrorCode::kTimestampExpired);
}

TEST_F(AuthenticatorTest, RejectionsInOrder) {
  const std::int64_t now_s = clock_.now_unix_ms() / 1000;
  EXPECT_EQ(code_of(authenticate(SignedRequest{"POST", "/", "", ""})), ErrorCode::kAuthMissing);
  EXPECT_EQ(code_of(check("mch_on", "sk_on", now_s, "bad nonce!")), ErrorCode::kAuthMalformed);
  EXPECT_EQ(code_of(check("mch_none", "sk_on", now_s, "nonce-unk1")), ErrorCode::kMerchantUnknown);
  EXPECT_EQ(code_of(check("mch_on", "sk_wrong", now_s, "nonce-sig1")), ErrorCode::kSignatureInvalid);
  EXPECT_EQ(code_of(check("mch_off", "sk_off", now_s, "nonce-off1")), ErrorCode::kMerchantDisabled);
  // A forged request does not burn the nonce for the real merchant.
  EXPECT_EQ(code_of(check("mch_on", "sk_wrong", now_s, "nonce-keep")), ErrorCode::kSignatureInvalid);
  EXPECT_TRUE(check("mch_on", "sk_on", now_s, "nonce-keep").ok());
}

}  // namespace
}  // namespace paygate::test
