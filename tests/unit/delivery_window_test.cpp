// Which outbox events a webhook round may start: never one in flight, never more than the per-destination
// bound, and never one whose attempt was recorded after the round read the outbox (a stale "due" row —
// starting it would deliver the event twice).
#include "app/delivery_window.h"

#include <gtest/gtest.h>

namespace paygate {
namespace {

// A round that starts evt_1 at http://a and ends with its attempt still in flight.
void start_evt_1_in_a_round(DeliveryWindow& window) {
  const auto round = window.begin_round();
  ASSERT_TRUE(window.try_start(round, "evt_1", "http://a"));
  window.end_round();
}

TEST(DeliveryWindow, AnEventInFlightDoesNotStartTwice) {
  DeliveryWindow window(8);
  const auto round = window.begin_round();
  EXPECT_TRUE(window.try_start(round, "evt_1", "http://a"));
  EXPECT_FALSE(window.try_start(round, "evt_1", "http://a"));
  EXPECT_EQ(window.in_flight(), 1u);
}

TEST(DeliveryWindow, ARoundThatReadBeforeAnAttemptWasRecordedDoesNotSendItAgain) {
  DeliveryWindow window(8);
  start_evt_1_in_a_round(window);
  // A second round reads the outbox while evt_1's attempt is in flight: its row still says "due".
  const auto second = window.begin_round();
  window.finished("evt_1", "http://a");  // the attempt is recorded while the second round runs
  EXPECT_FALSE(window.try_start(second, "evt_1", "http://a")) << "a stale row would deliver evt_1 twice";
  EXPECT_TRUE(window.try_start(second, "evt_2", "http://a")) << "other events are not held up";
  window.end_round();
  // A round that reads after the record sees the event as it really is: if it is due again, it goes.
  const auto third = window.begin_round();
  EXPECT_TRUE(window.try_start(third, "evt_1", "http://a"));
}

TEST(DeliveryWindow, AnOlderRoundStillRunningKeepsItsProtectionWhenANewerOneBegins) {
  DeliveryWindow window(8);
  start_evt_1_in_a_round(window);
  const auto older = window.begin_round();
  window.finished("evt_1", "http://a");
  const auto newer = window.begin_round();  // reads after the record
  EXPECT_FALSE(window.try_start(older, "evt_1", "http://a"));
  EXPECT_TRUE(window.try_start(newer, "evt_1", "http://a"));
  window.end_round();
  window.end_round();
}

TEST(DeliveryWindow, EachDestinationHasABoundedNumberInFlight) {
  DeliveryWindow window(2);
  const auto round = window.begin_round();
  EXPECT_TRUE(window.try_start(round, "evt_1", "http://slow"));
  EXPECT_TRUE(window.try_start(round, "evt_2", "http://slow"));
  EXPECT_FALSE(window.try_start(round, "evt_3", "http://slow")) << "the slow host has enough";
  EXPECT_TRUE(window.try_start(round, "evt_4", "http://fast")) << "others go ahead";
  window.finished("evt_1", "http://slow");
  EXPECT_TRUE(window.try_start(round, "evt_3", "http://slow")) << "a finished delivery frees its slot";
  EXPECT_EQ(window.in_flight(), 3u);
}

}  // namespace
}  // namespace paygate
