// The rules every ledger applies to a transfer batch — the in-memory reference (ledger.h) and each store's
// account book alike — written once. Each answers nullopt when the rule holds, else the problem in words;
// the caller decides what error carries it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/ledger/transfer.h"

namespace paygate::ledger {

// A positive amount within the money range, between two different accounts.
std::optional<std::string> transfer_problem(const Transfer& transfer);
// An account holds one currency; a transfer in another is refused.
std::optional<std::string> currency_problem(std::string_view code, Currency account_currency,
                                            Currency transfer_currency);
// After the whole batch: an account flagged never to go below zero has not (DESIGN §5).
std::optional<std::string> balance_problem(std::string_view code, bool debits_must_not_exceed_credits,
                                           bool credits_must_not_exceed_debits, std::int64_t debits_posted,
                                           std::int64_t credits_posted);

}  // namespace paygate::ledger
