// The master key file that seals merchant secrets at rest: <data-dir>/master.key (mode 0600, made on first
// start) or the file PAYGATE_MASTER_KEY_FILE names. One key a line, "<key id> <Base64 of 32 bytes>"; the
// first seals, the others only open; lines starting with '#' are comments. Errors never quote a key.
#pragma once

#include <memory>
#include <string>

#include "core/result.h"
#include "crypto/secret_box.h"

namespace paygate::secrets {

// Where the master key lives: PAYGATE_MASTER_KEY_FILE, else [secrets] master_key_file, else
// <data_dir>/master.key. Nodes sharing one database must all read the same key.
std::string master_key_path(const std::string& data_dir, const std::string& configured_file = "");
Result<crypto::MasterKeyring> read_master_keys(const std::string& path);
Status write_master_keys(const std::string& path, const crypto::MasterKeyring& ring);
// Reads the file, or makes one with a fresh key when there is none.
Result<crypto::MasterKeyring> load_or_create_master_keys(const std::string& path, std::int64_t now_ms);
// A SecretBox over the file's keys that reloads the file when a ciphertext names a key it lacks, and before
// sealing when the file changed on disk (another process rotated the master key).
Result<std::shared_ptr<crypto::SecretBox>> open_secret_box(const std::string& path, std::int64_t now_ms);

}  // namespace paygate::secrets
