// Proves the order state machine table entry by entry, including every illegal transition.
#include <gtest/gtest.h>

#include <map>

#include "domain/order_status.h"

namespace paygate {
namespace {

using S = OrderStatus;
using E = OrderEvent;
using K = TransitionKind;

const std::vector<S> kStatuses = {S::kPending,  S::kSucceeded, S::kPartiallyRefunded,
                                  S::kRefunded, S::kClosed,    S::kFailed};
const std::vector<E> kEvents = {E::kPay, E::kClose, E::kFail, E::kRefundPartial, E::kRefundFull};

TEST(OrderStateMachine, EveryPairHasTheIntendedOutcome) {
  // The intended machine (DESIGN §4), written out independently of the implementation's table.
  const std::map<std::pair<S, E>, Transition> moves_and_noops = {
      {{S::kPending, E::kPay}, {K::kMove, S::kSucceeded}},
      {{S::kPending, E::kClose}, {K::kMove, S::kClosed}},
      {{S::kPending, E::kFail}, {K::kMove, S::kFailed}},
      {{S::kSucceeded, E::kPay}, {K::kNoop, S::kSucceeded}},
      {{S::kSucceeded, E::kRefundPartial}, {K::kMove, S::kPartiallyRefunded}},
      {{S::kSucceeded, E::kRefundFull}, {K::kMove, S::kRefunded}},
      {{S::kPartiallyRefunded, E::kPay}, {K::kNoop, S::kPartiallyRefunded}},
      {{S::kPartiallyRefunded, E::kRefundPartial}, {K::kNoop, S::kPartiallyRefunded}},
      {{S::kPartiallyRefunded, E::kRefundFull}, {K::kMove, S::kRefunded}},
      {{S::kRefunded, E::kPay}, {K::kNoop, S::kRefunded}},
      {{S::kClosed, E::kClose}, {K::kNoop, S::kClosed}},
      {{S::kFailed, E::kFail}, {K::kNoop, S::kFailed}},
  };
  int illegal = 0;
  for (S from : kStatuses) {
    for (E event : kEvents) {
      const Transition actual = transition(from, event);
      auto expected = moves_and_noops.find({from, event});
      if (expected == moves_and_noops.end()) {
        EXPECT_EQ(actual.kind, K::kIllegal) << to_string(from) << " + " << to_string(event);
        EXPECT_EQ(actual.to, from) << "an illegal event leaves the status alone";
        ++illegal;
      } else {
        EXPECT_EQ(actual.kind, expected->second.kind) << to_string(from) << " + " << to_string(event);
        EXPECT_EQ(actual.to, expected->second.to) << to_string(from) << " + " << to_string(event);
      }
    }
  }
  EXPECT_EQ(illegal, 30 - 12);
}

TEST(OrderStateMachine, NothingLeavesAFinalStatus) {
  for (S from : kStatuses) {
    if (!is_final(from)) continue;
    for (E event : kEvents) EXPECT_NE(transition(from, event).kind, K::kMove) << to_string(from);
  }
}

TEST(OrderStateMachine, NoEventEverLeadsBackToPending) {
  for (S from : kStatuses) {
    for (E event : kEvents) {
      const Transition t = transition(from, event);
      if (t.kind == K::kMove) {
        EXPECT_NE(t.to, S::kPending);
      }
    }
  }
}

TEST(OrderStateMachine, ClosingAPaidOrderIsIllegal) {
  EXPECT_EQ(transition(S::kSucceeded, E::kClose).kind, K::kIllegal);
  EXPECT_EQ(transition(S::kPartiallyRefunded, E::kClose).kind, K::kIllegal);
}

TEST(OrderStateMachine, StatusNamesRoundTrip) {
  for (S status : kStatuses) EXPECT_EQ(parse_order_status(to_string(status)), status);
  EXPECT_FALSE(parse_order_status("paid").has_value());
}

}  // namespace
}  // namespace paygate
