// The webhook signature matches an independent HMAC (Python's hmac module computed the expected value), and
// the retry schedule keeps its bounds: full jitter under a doubling ceiling, dead after give_up_after_ms.
#include <gtest/gtest.h>

#include "app/webhooks.h"

namespace paygate {
namespace {

TEST(WebhookSignature, IsHmacSha256OfTimestampDotBody) {
  EXPECT_EQ(webhook_signature("whsec_test", 1'790'000'000, R"({"id":"evt_1"})"),
            "t=1790000000,v1=e32657f3e678d33b41ec084c16ac0e125d25480a06cb3902286dc5942c6fd259");
}

TEST(WebhookSchedule, FullJitterUnderADoublingCeilingThenDead) {
  WebhookConfig config;
  config.first_retry_ms = 1'000;
  config.retry_max_ms = 8'000;
  config.give_up_after_ms = 100'000;
  const std::int64_t created = 0, now = 50'000;
  EXPECT_EQ(next_webhook_attempt_ms(config, 1, created, now, 0.0), now + 1) << "never in the past";
  EXPECT_EQ(next_webhook_attempt_ms(config, 1, created, now, 0.999999), now + 1'000);
  EXPECT_EQ(next_webhook_attempt_ms(config, 3, created, now, 0.999999), now + 4'000);
  EXPECT_EQ(next_webhook_attempt_ms(config, 30, created, now, 0.999999), now + 8'000) << "capped";
  EXPECT_EQ(next_webhook_attempt_ms(config, 1'000'000, created, now, 0.5), now + 4'000) << "no overflow";
  EXPECT_EQ(next_webhook_attempt_ms(config, 2, created, 100'000, 0.5), 0) << "past give_up_after_ms: dead";
}

}  // namespace
}  // namespace paygate
