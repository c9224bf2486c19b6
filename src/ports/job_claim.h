// Background work that several nodes share without doing it twice (expiry, active queries, refund checks,
// webhook delivery): a claim hands out the items that are due and, in the same command, pushes each one's
// next due time lease_ms ahead, so no other node (or later round) takes it meanwhile. Finishing the work
// sets the item's real next time; a node that dies leaves its items to be claimed again when the lease
// runs out, or at once when the same node starts again (Store::release_claims). On PostgreSQL, rows another
// node is claiming at that moment are skipped (SKIP LOCKED).
#pragma once

#include <cstdint>
#include <string>

namespace paygate {

struct JobClaim {
  std::string node_id;  // who claims: recorded on each item until its work is done
  std::int64_t now_ms = 0;
  std::int64_t lease_ms = 0;  // longer than the work takes: a lease that runs out mid-work lets it run twice
  std::uint32_t limit = 0;
};

}  // namespace paygate
