// The ledger, the outbox, Idempotency-Key claims, merchants, operators and the audit log on every store.
#include "tests/store/store_fixture.h"

namespace paygate::test {
namespace {

using LedgerCommands = StoreTest;
using OutboxCommands = StoreTest;
using IdempotencyCommands = StoreTest;
using MerchantCommands = StoreTest;

std::vector<OutboxEvent> claim_events(Store& store, std::int64_t at_ms, std::int64_t lease_ms = 60'000) {
  auto claimed = await<std::vector<OutboxEvent>>([&](auto done) {
    store.claim_due_events(JobClaim{"node-a", at_ms, lease_ms, 10}, done);
  });
  EXPECT_TRUE(claimed.ok());
  return claimed.ok() ? *claimed : std::vector<OutboxEvent>{};
}

ledger::Transfer transfer(std::string debit, std::string credit, std::int64_t minor) {
  return ledger::Transfer{std::move(debit), std::move(credit), Money{minor, Currency::kCny},
                          ledger::TransferCode::kReversal, "ref"};
}

Result<std::int64_t> post(Store& store, ledger::TransferBatch batch, std::int64_t at_ms) {
  return await<std::int64_t>([&](auto done) {
    store.post_transfers(LedgerPostingCommand{std::move(batch), at_ms}, done);
  });
}

TEST_P(LedgerCommands, BatchesPostAllOrNothingAndFlaggedAccountsNeverCrossZero) {
  const std::string funding = "asset:channel_receivable:bench";
  const std::string wallet = "liability:wallet:u1";
  auto rules = ledger::account_rules(wallet);
  ASSERT_TRUE(rules.ok());
  ASSERT_TRUE(rules->debits_must_not_exceed_credits) << "the test needs a flagged account";
  auto first = post(store(), {transfer(funding, wallet, 500)}, now());
  ASSERT_TRUE(first.ok()) << first.error().message;
  auto second =
      post(store(), {transfer(wallet, "revenue:fees", 200), transfer(wallet, "revenue:fees", 300)}, now());
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_GT(*second, *first) << "batch ids grow";
  auto overdraw = post(store(), {transfer(funding, wallet, 50), transfer(wallet, "revenue:fees", 51)}, now());
  ASSERT_FALSE(overdraw.ok());
  EXPECT_EQ(overdraw.error().code, ErrorCode::kLedgerInvariantViolated);
  auto empty = post(store(), {}, now());
  ASSERT_FALSE(empty.ok());
  auto unknown_chart = post(store(), {transfer(funding, "nonsense:x", 1)}, now());
  ASSERT_FALSE(unknown_chart.ok());
  std::vector<StoredTransfer> all;
  ASSERT_TRUE(store().for_each_transfer([&](const StoredTransfer& t) { all.push_back(t); }).ok());
  ASSERT_EQ(all.size(), 3u) << "refused batches wrote nothing";
  EXPECT_EQ(all[1].batch_id, all[2].batch_id);
  auto accounts = store().list_ledger_accounts();
  ASSERT_TRUE(accounts.ok());
  for (const LedgerAccountRow& account : *accounts) {
    if (account.code == wallet) {
      EXPECT_EQ(account.credits_posted, 500);
      EXPECT_EQ(account.debits_posted, 500);
    }
  }
  EXPECT_EQ(sut_->balances()[wallet], 0);
  expect_books_sound();
}

TEST_P(LedgerCommands, VerifyFindsBooksTamperedBehindTheStoresBack) {
  paid("o-tamper");
  expect_books_sound();
  sut_->execute("UPDATE ledger_transfers SET amount_minor = amount_minor + 1 WHERE code = 'merchant_fee'");
  auto report = store().verify_ledger();
  ASSERT_TRUE(report.ok());
  ASSERT_FALSE(report->sound());
  EXPECT_NE(report->problems.front().find("differ from its transfers"), std::string::npos)
      << report->problems.front();
  // With the books broken (and checks on), the next money command is refused and writes nothing.
  const Order second = created("o-after-tamper");
  auto refused = report_paid(second);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kLedgerInvariantViolated);
  EXPECT_EQ((*store().find_order_by_id(second.order_id))->status, OrderStatus::kPending);
  sut_->execute("UPDATE ledger_transfers SET amount_minor = amount_minor - 1 WHERE code = 'merchant_fee'");
  ASSERT_TRUE(report_paid(second).ok());
  expect_books_sound();
}

TEST_P(OutboxCommands, AnOrdersEventsGoOutInOrderAndAttemptsAreRecorded) {
  const Order order = paid("o-events");
  ASSERT_TRUE(create_refund(new_refund(order, "r-e", 100)).ok());
  auto refund = store().find_refund_by_out_refund_no(merchant_, "r-e");
  ASSERT_TRUE(settle((*refund)->refund_id, RefundStatus::kSucceeded).ok());
  auto due = claim_events(store(), now());
  ASSERT_EQ(due.size(), 1u) << "the refund's event waits behind the payment's";
  EXPECT_TRUE(claim_events(store(), now()).empty()) << "claimed events are held for their lease";
  EXPECT_EQ(due.front().type, "order.succeeded");
  const std::string first = due.front().event_id;
  auto retry = await<OutboxEvent>([&](auto done) {
    store().record_delivery(DeliveryAttempt{first, false, 500, "HTTP 500", now(), now() + 1'000}, done);
  });
  ASSERT_TRUE(retry.ok());
  EXPECT_EQ(retry->attempts, 1);
  EXPECT_EQ(retry->last_http_status, 500);
  EXPECT_TRUE(claim_events(store(), now()).empty()) << "retrying later holds the order's queue";
  auto delivered = await<OutboxEvent>([&](auto done) {
    store().record_delivery(DeliveryAttempt{first, true, 200, "", now(), 0}, done);
  });
  ASSERT_TRUE(delivered.ok());
  EXPECT_EQ(delivered->status, DeliveryStatus::kDelivered);
  auto late_answer = await<OutboxEvent>([&](auto done) {
    store().record_delivery(DeliveryAttempt{first, false, 0, "timeout", now(), 0}, done);
  });
  ASSERT_TRUE(late_answer.ok());
  EXPECT_EQ(late_answer->status, DeliveryStatus::kDelivered) << "a late answer changes nothing";
  auto next = claim_events(store(), now());
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next.front().type, "refund.succeeded");
  auto dead = await<OutboxEvent>([&](auto done) {
    store().record_delivery(DeliveryAttempt{next.front().event_id, false, 0, "refused", now(), 0}, done);
  });
  ASSERT_TRUE(dead.ok());
  EXPECT_EQ(dead->status, DeliveryStatus::kDead);
  auto resent = await<OutboxEvent>(
      [&](auto done) { store().resend_event(merchant_, next.front().event_id, now(), done); });
  ASSERT_TRUE(resent.ok());
  EXPECT_EQ(resent->status, DeliveryStatus::kPending);
  auto foreign = await<OutboxEvent>(
      [&](auto done) { store().resend_event(other_merchant_, next.front().event_id, now(), done); });
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(foreign.error().code, ErrorCode::kEventNotFound);
  auto reclaimed = claim_events(store(), now());
  ASSERT_EQ(reclaimed.size(), 1u);
  auto released = await<std::int64_t>(
      [&](auto done) { store().release_events({reclaimed.front().event_id}, now(), done); });
  ASSERT_TRUE(released.ok());
  EXPECT_EQ(*released, 1);
  EXPECT_EQ(claim_events(store(), now()).size(), 1u) << "a released event is due again at once";
  auto page = store().list_events(EventQuery{merchant_, std::nullopt, std::nullopt, std::nullopt, 1});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->events.size(), 1u);
  EXPECT_TRUE(page->has_more);
  EXPECT_EQ(page->events[0].type, "refund.succeeded") << "newest first";
  auto rest =
      store().list_events(EventQuery{merchant_, std::nullopt, std::nullopt, page->events[0].event_id, 10});
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->events.size(), 1u);
  EXPECT_EQ(rest->events[0].type, "order.succeeded");
  auto delivered_only =
      store().list_events(EventQuery{merchant_, std::nullopt, DeliveryStatus::kDelivered, std::nullopt, 10});
  ASSERT_EQ(delivered_only->events.size(), 1u);
}

TEST_P(OutboxCommands, ARestartedNodeTakesBackItsOwnClaimsAndNoOneElses) {
  paid("o-claims-1");
  paid("o-claims-2");
  auto claim_as = [&](const std::string& node) {
    return await<std::vector<OutboxEvent>>([&](auto done) {
      store().claim_due_events(JobClaim{node, now(), 600'000, 1}, done);
    });
  };
  auto mine = claim_as("node-a");
  auto theirs = claim_as("node-b");
  ASSERT_TRUE(mine.ok() && theirs.ok());
  ASSERT_EQ(mine->size(), 1u);
  ASSERT_EQ(theirs->size(), 1u);
  EXPECT_TRUE(claim_as("node-c")->empty()) << "both events are held";
  // node-a delivers nothing before it dies; node-b records a failure with a retry in an hour.
  ASSERT_TRUE(await<OutboxEvent>([&](auto done) {
                store().record_delivery(DeliveryAttempt{theirs->front().event_id, false, 500, "HTTP 500",
                                                        now(), now() + 3'600'000},
                                        done);
              }).ok());
  auto released = await<std::int64_t>([&](auto done) { store().release_claims("node-a", now(), done); });
  ASSERT_TRUE(released.ok());
  EXPECT_EQ(*released, 1);
  auto again = claim_as("node-a");
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->size(), 1u) << "node-a's unfinished event is due again at once";
  EXPECT_EQ(again->front().event_id, mine->front().event_id);
  ASSERT_TRUE(await<std::int64_t>([&](auto done) { store().release_claims("node-b", now(), done); }).ok());
  EXPECT_TRUE(claim_as("node-c")->empty()) << "a finished attempt keeps its retry schedule";
}

TEST_P(OutboxCommands, TheEventFeedQueuesEventsOnlyWhileEnabledAndHandsThemOutOnceInOrder) {
  auto set_feed = [&](bool enabled) {
    ASSERT_TRUE(await<bool>([&](auto done) { store().set_event_feed(enabled, done); }).ok());
  };
  auto claim_feed = [&](const std::string& node, std::int64_t at_ms) {
    auto claimed = await<std::vector<OutboxEvent>>([&](auto done) {
      store().claim_feed_events(JobClaim{node, at_ms, 60'000, 10}, done);
    });
    EXPECT_TRUE(claimed.ok());
    return claimed.ok() ? *claimed : std::vector<OutboxEvent>{};
  };
  paid("o-feed-before");
  EXPECT_TRUE(claim_feed("node-a", now()).empty()) << "nothing is queued while the feed is off";

  set_feed(true);
  const Order first = paid("o-feed-1");
  const Order second = paid("o-feed-2");
  auto claimed = claim_feed("node-a", now());
  ASSERT_EQ(claimed.size(), 2u);
  EXPECT_EQ(claimed[0].event_id, events_of(first).at(0).event_id) << "oldest first";
  EXPECT_EQ(claimed[1].event_id, events_of(second).at(0).event_id);
  EXPECT_EQ(claimed[0].type, "order.succeeded");
  EXPECT_FALSE(claimed[0].payload.empty());
  EXPECT_TRUE(claim_feed("node-b", now()).empty()) << "claimed events are leased to node-a";

  // node-a appended only the first before it died: its claim is taken over after the lease, or at once
  // when node-a starts again.
  auto finished =
      await<std::int64_t>([&](auto done) { store().finish_feed_events({claimed[0].event_id}, done); });
  ASSERT_TRUE(finished.ok());
  EXPECT_EQ(*finished, 1);
  auto taken_over = claim_feed("node-b", now() + 60'000);
  ASSERT_EQ(taken_over.size(), 1u);
  EXPECT_EQ(taken_over[0].event_id, claimed[1].event_id);
  ASSERT_TRUE(await<std::int64_t>([&](auto done) { store().release_claims("node-b", now(), done); }).ok());
  EXPECT_EQ(claim_feed("node-c", now()).size(), 1u) << "a restarted node gives its claims back";

  set_feed(false);
  paid("o-feed-after");
  ASSERT_TRUE(
      await<std::int64_t>([&](auto done) { store().finish_feed_events({claimed[1].event_id}, done); }).ok());
  EXPECT_TRUE(claim_feed("node-a", now() + 120'000).empty()) << "nothing queued after the feed is off";
}

TEST_P(OutboxCommands, AnEventWithoutAnEndpointIsKeptButNeverDue) {
  Order order = new_order("o-no-url");
  order.notify_url.clear();
  ASSERT_TRUE(create(order).ok());
  ASSERT_TRUE(apply(order, OrderEvent::kClose).ok());
  auto events = events_of(order);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].status, DeliveryStatus::kNoEndpoint);
  EXPECT_TRUE(claim_events(store(), now() + 1'000'000).empty());
  auto resend = await<OutboxEvent>(
      [&](auto done) { store().resend_event(merchant_, events[0].event_id, now(), done); });
  ASSERT_FALSE(resend.ok());
  EXPECT_EQ(resend.error().code, ErrorCode::kInvalidParameter);
}

TEST_P(IdempotencyCommands, ClaimsLeaseReplayAndRelease) {
  auto claim = [&](const std::string& key, const std::string& fingerprint, std::int64_t at_ms) {
    return await<IdempotencyDecision>([&](auto done) {
      store().claim_idempotency_key(IdempotencyClaim{merchant_, key, fingerprint, at_ms, 30'000}, done);
    });
  };
  auto finish = [&](const std::string& key, bool keep) {
    return await<bool>([&](auto done) {
      store().finish_idempotency_key(IdempotencyResult{merchant_, key, 201, R"({"ok":true})", keep}, done);
    });
  };
  EXPECT_EQ(claim("k1", "fp", now())->verdict, IdempotencyVerdict::kProceed);
  EXPECT_EQ(claim("k1", "fp", now())->verdict, IdempotencyVerdict::kInProgress);
  EXPECT_EQ(claim("k1", "other", now())->verdict, IdempotencyVerdict::kFingerprintMismatch);
  EXPECT_EQ(claim("k1", "fp", now() + 30'001)->verdict, IdempotencyVerdict::kProceed)
      << "an expired lease is taken over";
  EXPECT_TRUE(*finish("k1", true));
  auto replay = claim("k1", "fp", now());
  ASSERT_TRUE(replay.ok());
  EXPECT_EQ(replay->verdict, IdempotencyVerdict::kReplay);
  EXPECT_EQ(replay->status_code, 201);
  EXPECT_EQ(replay->response_body, R"({"ok":true})");
  EXPECT_FALSE(*finish("k1", true)) << "a completed key is not finished twice";
  EXPECT_EQ(claim("k2", "fp", now())->verdict, IdempotencyVerdict::kProceed);
  EXPECT_TRUE(*finish("k2", false));
  EXPECT_EQ(claim("k2", "fp2", now())->verdict, IdempotencyVerdict::kProceed) << "a released key is free";
}

TEST_P(MerchantCommands, MerchantsOperatorsAndTheAuditLog) {
  auto merchants = store().list_merchants();
  ASSERT_TRUE(merchants.ok());
  EXPECT_EQ(merchants->size(), 2u);
  auto found = store().find_merchant(merchant_);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->secret, "sk_" + merchant_.value) << "secrets open back to what was stored";
  const Merchant added{MerchantId{"mch_audited"}, "Audited", "sk_a", true, now()};
  auto created = await<Merchant>([&](auto done) {
    store().create_merchant_audited(
        added, AuditEntry{0, now(), "op_1", "merchant.create", "merchant:mch_audited", "", "", "req-1"},
        done);
  });
  ASSERT_TRUE(created.ok()) << created.error().message;
  auto changed = await<Merchant>([&](auto done) {
    store().change_merchant(
        MerchantChange{added.merchant_id, false, std::string("sk_new"), std::nullopt},
        AuditEntry{0, now(), "op_1", "merchant.disable", "merchant:mch_audited", "", "", "req-2"}, done);
  });
  ASSERT_TRUE(changed.ok());
  EXPECT_FALSE(changed->enabled);
  EXPECT_EQ(changed->secret, "sk_new");
  EXPECT_EQ(changed->secret_version, 2);
  auto missing = await<Merchant>([&](auto done) {
    store().change_merchant(
        MerchantChange{MerchantId{"mch_none"}, false, std::nullopt, std::nullopt},
        AuditEntry{0, now(), "op_1", "merchant.disable", "merchant:mch_none", "", "", "req-3"}, done);
  });
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kMerchantNotFound);
  auto audit = store().list_audit(AuditQuery{std::nullopt, 1});
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->entries.size(), 1u);
  EXPECT_TRUE(audit->has_more);
  EXPECT_EQ(audit->entries[0].action, "merchant.disable") << "newest first; the refused change wrote nothing";
  EXPECT_EQ(audit->entries[0].after_json.find("sk_new"), std::string::npos)
      << "the audit never holds a secret";
  auto older = store().list_audit(AuditQuery{audit->entries[0].audit_id, 10});
  ASSERT_EQ(older->entries.size(), 1u);
  EXPECT_EQ(older->entries[0].action, "merchant.create");
  auto op = await<Operator>([&](auto done) {
    store().create_operator(Operator{"op_1", "Ops", OperatorRole::kAdmin, now()}, std::string(64, 'a'), done);
  });
  ASSERT_TRUE(op.ok());
  auto by_key = store().find_operator_by_key(std::string(64, 'a'));
  ASSERT_TRUE(by_key.ok() && by_key->has_value());
  EXPECT_EQ((*by_key)->role, OperatorRole::kAdmin);
  EXPECT_FALSE(store().find_operator_by_key(std::string(64, 'b'))->has_value());
  auto keys = store().list_sealing_key_ids();
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->size(), 1u);
  auto resealed = await<std::int64_t>([&](auto done) { store().reseal_secrets(done); });
  ASSERT_TRUE(resealed.ok());
  EXPECT_EQ(*resealed, 0) << "everything is sealed by the current key already";
}

INSTANTIATE_TEST_SUITE_P(Stores, LedgerCommands, ::testing::ValuesIn(kStoreKinds));
INSTANTIATE_TEST_SUITE_P(Stores, OutboxCommands, ::testing::ValuesIn(kStoreKinds));
INSTANTIATE_TEST_SUITE_P(Stores, IdempotencyCommands, ::testing::ValuesIn(kStoreKinds));
INSTANTIATE_TEST_SUITE_P(Stores, MerchantCommands, ::testing::ValuesIn(kStoreKinds));

}  // namespace
}  // namespace paygate::test
