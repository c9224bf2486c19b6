// `paygate operator create` (an operator key, shown once) and `paygate secrets rotate-master-key`.
#include <cstdio>

#include "app/operators.h"
#include "crypto/secret_box.h"
#include "infra/secrets/master_key_file.h"
#include "main/commands.h"
#include "nlohmann/json.hpp"

namespace paygate::cli {

int run_operator_create(const CommonOptions& common, const std::string& name, const std::string& role) {
  const auto parsed_role = parse_operator_role(role);
  if (!parsed_role) return fail("--role: must be admin or viewer");
  auto opened = open_command_store(common);
  if (!opened.ok()) return fail(opened.error().message);
  Store& store = *(*opened)->store;
  OperatorService operators(store, (*opened)->clock);
  auto created = wait_for<NewOperator>(
      [&](auto done) { operators.create_operator(name, *parsed_role, std::move(done)); });
  store.drain();
  if (!created.ok()) return fail(created.error().message);
  // The key is shown here once; paygate keeps only its SHA-256.
  const nlohmann::json out = {{"operator_id", created->op.operator_id},
                              {"name", created->op.name},
                              {"role", to_string(created->op.role)},
                              {"key", created->key}};
  std::printf("%s\n", out.dump(2).c_str());
  return 0;
}

// Rotation in three durable steps, each leaving every secret readable if the next never happens:
//   1. the key file gains a new first (sealing) key and keeps the old ones;
//   2. one store command re-seals every secret under the new key;
//   3. the key file drops the old keys, once no stored secret names one.
// A gateway running meanwhile re-reads the file when it changes, so it seals with the new key too; a secret
// it sealed with an old key between 2 and 3 is caught by the check in 3 and re-sealed before the drop.
int run_rotate_master_key(const CommonOptions& common) {
  auto config = resolve_config(common);
  if (!config.ok()) return fail(config.error().message);
  const std::string path = secrets::master_key_path(config->store.data_dir, config->secrets.master_key_file);
  auto ring = secrets::read_master_keys(path);
  if (!ring.ok()) return fail(ring.error().message);
  SystemClock clock;
  const crypto::MasterKey fresh = crypto::new_master_key(clock.now_unix_ms());
  crypto::MasterKeyring rotating = *ring;
  rotating.keys.insert(rotating.keys.begin(), fresh);
  if (auto status = secrets::write_master_keys(path, rotating); !status) return fail(status.error().message);

  auto opened = open_command_store(common);
  if (!opened.ok()) return fail(opened.error().message);
  Store& store = *(*opened)->store;
  std::int64_t resealed = 0;
  for (int round = 0; round < 3; ++round) {
    auto sealed = wait_for<std::int64_t>([&](auto done) { store.reseal_secrets(std::move(done)); });
    if (!sealed.ok()) {
      store.drain();
      return fail("re-sealing failed; both keys stay in the key file: " + sealed.error().message);
    }
    resealed += *sealed;
    auto in_use = store.list_sealing_key_ids();
    if (!in_use.ok()) break;
    if (in_use->empty() || (in_use->size() == 1 && in_use->front() == fresh.key_id)) {
      store.drain();
      if (auto status = secrets::write_master_keys(path, crypto::MasterKeyring{{fresh}}); !status)
        return fail(status.error().message);
      std::printf(
          "%s\n",
          nlohmann::json{{"master_key_id", fresh.key_id}, {"merchants_resealed", resealed}}.dump(2).c_str());
      return 0;
    }
  }
  store.drain();
  return fail("some secrets are still sealed with an old key; both keys stay in the key file (run it again)");
}

}  // namespace paygate::cli
