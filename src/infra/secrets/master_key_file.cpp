#include "infra/secrets/master_key_file.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <sstream>

#include "core/files.h"
#include "core/text.h"
#include "crypto/aead.h"
#include "crypto/encoding.h"
#include "fmt/format.h"

namespace paygate::secrets {
namespace {

Error key_file_error(const std::string& path, std::string_view problem) {
  return make_error(ErrorCode::kInvalidParameter, fmt::format("master key file {}: {}", path, problem));
}

// The file's identity on disk: a rewrite (always a rename onto it) changes the inode and the time.
struct FileStamp {
  ino_t inode = 0;
  std::int64_t modified_ns = 0;
  bool operator==(const FileStamp&) const = default;
};

std::optional<FileStamp> stamp_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return FileStamp{st.st_ino, std::int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec};
}

}  // namespace

std::string master_key_path(const std::string& data_dir, const std::string& configured_file) {
  const char* from_environment = std::getenv("PAYGATE_MASTER_KEY_FILE");
  if (from_environment != nullptr && *from_environment != '\0') return from_environment;
  if (!configured_file.empty()) return configured_file;
  return data_dir + "/master.key";
}

Result<crypto::MasterKeyring> read_master_keys(const std::string& path) {
  auto text = read_text_file(path);
  if (!text) return key_file_error(path, "cannot be read");
  crypto::MasterKeyring ring;
  std::istringstream lines(*text);
  int number = 0;
  for (std::string line; std::getline(lines, line);) {
    ++number;
    if (line.empty() || line.front() == '#') continue;
    const auto space = line.find(' ');
    const std::string key_id = line.substr(0, space);
    auto key = space == std::string::npos ? std::nullopt : crypto::base64_decode(line.substr(space + 1));
    if (!is_token(key_id, 64) || !key || key->size() != crypto::kAes256KeyBytes) {
      return key_file_error(path, fmt::format("line {} is not \"<key id> <Base64 of 32 bytes>\"", number));
    }
    if (std::any_of(ring.keys.begin(), ring.keys.end(), [&](const auto& k) { return k.key_id == key_id; }))
      return key_file_error(path, fmt::format("line {} repeats key id {}", number, key_id));
    ring.keys.push_back(crypto::MasterKey{key_id, std::move(*key)});
  }
  if (ring.keys.empty()) return key_file_error(path, "holds no key");
  return ring;
}

Status write_master_keys(const std::string& path, const crypto::MasterKeyring& ring) {
  std::string text =
      "# paygate master keys: \"<key id> <Base64 of 32 bytes>\". The first seals secrets, the others only\n"
      "# open what they sealed. Keep this file secret and backed up: without it the secrets cannot be "
      "read.\n";
  for (const crypto::MasterKey& key : ring.keys)
    text += key.key_id + " " + crypto::base64_encode(key.key) + "\n";
  return write_file_atomically(path, text, 0600);
}

Result<crypto::MasterKeyring> load_or_create_master_keys(const std::string& path, std::int64_t now_ms) {
  if (stamp_of(path)) return read_master_keys(path);
  crypto::MasterKeyring ring{{crypto::new_master_key(now_ms)}};
  if (auto status = write_master_keys(path, ring); !status) return key_file_error(path, "cannot be written");
  return ring;
}

Result<std::shared_ptr<crypto::SecretBox>> open_secret_box(const std::string& path, std::int64_t now_ms) {
  auto ring = load_or_create_master_keys(path, now_ms);
  if (!ring.ok()) return std::move(ring).error();
  struct Watch {
    std::mutex mutex;
    std::optional<FileStamp> seen;
  };
  auto watch = std::make_shared<Watch>();
  watch->seen = stamp_of(path);
  auto reload = [path, watch](bool only_if_changed) -> Result<crypto::MasterKeyring> {
    const auto now = stamp_of(path);
    {
      std::lock_guard lock(watch->mutex);
      if (only_if_changed && now == watch->seen) return make_error(ErrorCode::kInternal, "unchanged");
      watch->seen = now;
    }
    return read_master_keys(path);
  };
  return std::make_shared<crypto::SecretBox>(std::move(ring).value(), std::move(reload));
}

}  // namespace paygate::secrets
