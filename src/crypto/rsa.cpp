#include "crypto/rsa.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <mutex>
#include <stdexcept>
#include <vector>

#include "crypto/digest.h"
#include "crypto/encoding.h"

namespace paygate::crypto {
namespace {

using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;

// A bare Base64 body (no "-----BEGIN" line) gets the given PEM armour, wrapped at 64 columns.
std::string armour(std::string_view text, std::string_view label) {
  if (text.find("-----BEGIN") != std::string_view::npos) return std::string(text);
  std::string body;
  for (char c : text) {
    if (c != '\n' && c != '\r' && c != ' ' && c != '\t') body.push_back(c);
  }
  std::string pem = "-----BEGIN " + std::string(label) + "-----\n";
  for (std::size_t i = 0; i < body.size(); i += 64) pem += body.substr(i, 64) + "\n";
  pem += "-----END " + std::string(label) + "-----\n";
  return pem;
}

BioPtr memory_bio(const std::string& text) {
  return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())), &BIO_free);
}

bool is_rsa(EVP_PKEY* key) { return key != nullptr && EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA; }

std::string read_bio(BIO* bio) {
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(length));
}

}  // namespace

// Setting up an OpenSSL 3 signing or verifying context (provider fetch, padding, digest) cost about a third
// as much as the RSA verification itself (perf: EVP_DigestVerifyInit 8.5% of an io thread next to
// RSA_verify's 27.5% during notify intake). A context set up once can sign or verify any number of times,
// as `openssl speed` does, but not from two threads at once: each call borrows one from this pool and gives
// it back, and the pool grows to the number of threads that ever signed or verified at the same time.
class PkeyContextPool {
 public:
  enum class Operation { kSign, kVerify };

  PkeyContextPool(std::shared_ptr<evp_pkey_st> key, Operation operation)
      : key_(std::move(key)), operation_(operation) {}
  PkeyContextPool(const PkeyContextPool&) = delete;
  PkeyContextPool& operator=(const PkeyContextPool&) = delete;
  ~PkeyContextPool() {
    for (EVP_PKEY_CTX* ctx : idle_) EVP_PKEY_CTX_free(ctx);
  }

  // Runs f(ctx) with a context ready for this pool's operation: SHA-256, PKCS#1 v1.5 padding.
  template <class F>
  auto with_context(F&& f) {
    EVP_PKEY_CTX* ctx = take();
    struct GiveBack {
      PkeyContextPool* pool;
      EVP_PKEY_CTX* ctx;
      ~GiveBack() { pool->give_back(ctx); }
    } give_back_on_exit{this, ctx};
    return f(ctx);
  }

 private:
  EVP_PKEY_CTX* take() {
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        EVP_PKEY_CTX* ctx = idle_.back();
        idle_.pop_back();
        return ctx;
      }
    }
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(key_.get(), nullptr);
    const bool ready =
        ctx != nullptr &&
        (operation_ == Operation::kSign ? EVP_PKEY_sign_init(ctx) : EVP_PKEY_verify_init(ctx)) == 1 &&
        EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
        EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) == 1;
    if (!ready) {
      EVP_PKEY_CTX_free(ctx);
      throw std::runtime_error("OpenSSL could not set up an RSA context");
    }
    return ctx;
  }

  void give_back(EVP_PKEY_CTX* ctx) {
    std::lock_guard lock(mutex_);
    idle_.push_back(ctx);
  }

  const std::shared_ptr<evp_pkey_st> key_;
  const Operation operation_;
  std::mutex mutex_;
  std::vector<EVP_PKEY_CTX*> idle_;
};

void PkeyDeleter::operator()(evp_pkey_st* key) const { EVP_PKEY_free(key); }

RsaPrivateKey::RsaPrivateKey(PkeyPtr key)
    : key_(std::move(key)),
      signers_(std::make_shared<PkeyContextPool>(key_, PkeyContextPool::Operation::kSign)) {}

RsaPublicKey::RsaPublicKey(PkeyPtr key)
    : key_(std::move(key)),
      verifiers_(std::make_shared<PkeyContextPool>(key_, PkeyContextPool::Operation::kVerify)) {}

Result<RsaPublicKey> RsaPublicKey::adopt(PkeyPtr key) {
  if (!is_rsa(key.get())) return make_error(ErrorCode::kInvalidParameter, "public key: not an RSA key");
  return RsaPublicKey(std::move(key));
}

Result<RsaPrivateKey> RsaPrivateKey::from_pem(std::string_view text) {
  // PEM_read_bio_PrivateKey understands both PKCS#8 and the traditional PKCS#1 armour.
  for (std::string_view label : {"PRIVATE KEY", "RSA PRIVATE KEY"}) {
    const std::string pem = armour(text, label);
    auto bio = memory_bio(pem);
    EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
    if (is_rsa(key)) return RsaPrivateKey(PkeyPtr(key));
    EVP_PKEY_free(key);
  }
  return make_error(ErrorCode::kInvalidParameter,
                    "private key: not an RSA private key in PEM or Base64 form");
}

RsaPrivateKey RsaPrivateKey::generate(int bits) {
  EVP_PKEY* key = EVP_RSA_gen(static_cast<unsigned>(bits));
  if (key == nullptr) throw std::runtime_error("OpenSSL EVP_RSA_gen failed");
  return RsaPrivateKey(PkeyPtr(key));
}

std::string RsaPrivateKey::sign_sha256_base64(std::string_view data) const {
  const std::string digest = sha256(data);
  std::string signature = signers_->with_context([&](EVP_PKEY_CTX* ctx) {
    std::size_t length = 0;
    const auto* digest_bytes = reinterpret_cast<const unsigned char*>(digest.data());
    if (EVP_PKEY_sign(ctx, nullptr, &length, digest_bytes, digest.size()) != 1)
      throw std::runtime_error("OpenSSL RSA signing failed");
    std::string out(length, '\0');
    if (EVP_PKEY_sign(ctx, reinterpret_cast<unsigned char*>(out.data()), &length, digest_bytes,
                      digest.size()) != 1)
      throw std::runtime_error("OpenSSL RSA signing failed");
    out.resize(length);
    return out;
  });
  return base64_encode(signature);
}

std::string RsaPrivateKey::to_pkcs8_pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()), &BIO_free);
  PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr);
  return read_bio(bio.get());
}

std::string RsaPrivateKey::public_key_pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()), &BIO_free);
  PEM_write_bio_PUBKEY(bio.get(), key_.get());
  return read_bio(bio.get());
}

Result<RsaPublicKey> RsaPublicKey::from_pem(std::string_view text) {
  {
    const std::string pem = armour(text, "PUBLIC KEY");
    auto bio = memory_bio(pem);
    EVP_PKEY* key = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
    if (is_rsa(key)) return RsaPublicKey(PkeyPtr(key));
    EVP_PKEY_free(key);
  }
  {
    // PKCS#1 RSAPublicKey: read the DER out of the armour and decode it as an RSA public key.
    const std::string pem = armour(text, "RSA PUBLIC KEY");
    auto bio = memory_bio(pem);
    char* name = nullptr;
    char* header = nullptr;
    unsigned char* der = nullptr;
    long der_length = 0;
    if (PEM_read_bio(bio.get(), &name, &header, &der, &der_length) == 1) {
      const unsigned char* cursor = der;
      EVP_PKEY* key = d2i_PublicKey(EVP_PKEY_RSA, nullptr, &cursor, der_length);
      OPENSSL_free(name);
      OPENSSL_free(header);
      OPENSSL_free(der);
      if (is_rsa(key)) return RsaPublicKey(PkeyPtr(key));
      EVP_PKEY_free(key);
    }
  }
  return make_error(ErrorCode::kInvalidParameter, "public key: not an RSA public key in PEM or Base64 form");
}

bool RsaPublicKey::verify_sha256_base64(std::string_view data, std::string_view signature_base64) const {
  const auto signature = base64_decode(signature_base64);
  if (!signature || signature->empty()) return false;
  const std::string digest = sha256(data);
  return verifiers_->with_context([&](EVP_PKEY_CTX* ctx) {
    return EVP_PKEY_verify(ctx, reinterpret_cast<const unsigned char*>(signature->data()), signature->size(),
                           reinterpret_cast<const unsigned char*>(digest.data()), digest.size()) == 1;
  });
}

}  // namespace paygate::crypto
