// Proves request parsing helpers, the router's 404/405 distinction and the Responder's exactly-once answer.
#include <gtest/gtest.h>

#include "net/http_types.h"
#include "net/router.h"

namespace paygate::http {
namespace {

TEST(Query, DecodesParameters) {
  EXPECT_EQ(query_param("a=1&out_trade_no=T%2D1+x&b", "out_trade_no"), "T-1 x");
  EXPECT_EQ(query_param("a=1&b", "b"), "");
  EXPECT_FALSE(query_param("a=1", "c").has_value());
  EXPECT_FALSE(url_decode("%zz").has_value());
  EXPECT_FALSE(url_decode("%4").has_value());
}

TEST(Router, MatchesParametersAndTellsNotFoundFromMethodNotAllowed) {
  Router<int> router;
  router.add("GET", "/api/v1/orders/{order_id}", 1);
  router.add("POST", "/api/v1/orders/{order_id}/close", 2);
  router.add("GET", "/api/v1/orders", 3);
  auto match = router.match("GET", "/api/v1/orders/abc");
  ASSERT_EQ(match.outcome, Router<int>::Outcome::kMatched);
  EXPECT_EQ(*match.target, 1);
  EXPECT_EQ(match.params.at(0), (std::pair<std::string, std::string>{"order_id", "abc"}));
  EXPECT_EQ(match.pattern, "/api/v1/orders/{order_id}");
  EXPECT_EQ(router.match("GET", "/api/v1/orders/abc/close").outcome, Router<int>::Outcome::kMethodNotAllowed);
  EXPECT_EQ(router.match("GET", "/api/v1/nothing").outcome, Router<int>::Outcome::kNotFound);
  EXPECT_EQ(*router.match("GET", "/api/v1/orders").target, 3);
}

TEST(Responder, AnswersExactlyOnceAndNeverLeavesAConnectionHanging) {
  std::vector<int> delivered;
  {
    Responder respond([&](Response response) { delivered.push_back(response.status); });
    Responder copy = respond;
    copy(Response{201, "application/json", {}, "{}"});
    respond(Response{500, "application/json", {}, "{}"});
  }
  EXPECT_EQ(delivered, std::vector<int>{201});
  delivered.clear();
  {
    Responder forgotten([&](Response response) { delivered.push_back(response.status); });
  }
  EXPECT_EQ(delivered, std::vector<int>{500});
}

}  // namespace
}  // namespace paygate::http
