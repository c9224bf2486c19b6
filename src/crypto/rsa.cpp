#include "crypto/rsa.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <stdexcept>

#include "crypto/encoding.h"

namespace paygate::crypto {
namespace {

using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

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

void PkeyDeleter::operator()(evp_pkey_st* key) const { EVP_PKEY_free(key); }

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
  MdCtxPtr ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  std::size_t length = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &length, reinterpret_cast<const unsigned char*>(data.data()),
                     data.size()) != 1) {
    throw std::runtime_error("OpenSSL RSA signing failed");
  }
  std::string signature(length, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1) {
    throw std::runtime_error("OpenSSL RSA signing failed");
  }
  signature.resize(length);
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
  MdCtxPtr ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()) != 1) return false;
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature->data()),
                          signature->size(), reinterpret_cast<const unsigned char*>(data.data()),
                          data.size()) == 1;
}

}  // namespace paygate::crypto
