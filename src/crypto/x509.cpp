#include "crypto/x509.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <stdexcept>

namespace paygate::crypto {
namespace {

using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;
using BignumPtr = std::unique_ptr<BIGNUM, decltype(&BN_free)>;

std::int64_t asn1_time_ms(const ASN1_TIME* time) {
  struct tm parts {};
  if (time == nullptr || ASN1_TIME_to_tm(time, &parts) != 1) return 0;
  return static_cast<std::int64_t>(timegm(&parts)) * 1000;
}

}  // namespace

void Certificate::X509Deleter::operator()(x509_st* cert) const { X509_free(cert); }

Certificate::Certificate(x509_st* cert) : cert_(cert, X509Deleter{}) {
  BignumPtr serial(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr), &BN_free);
  if (serial) {
    char* hex = BN_bn2hex(serial.get());
    serial_hex_ = hex;
    OPENSSL_free(hex);
  }
  not_before_ms_ = asn1_time_ms(X509_get0_notBefore(cert));
  not_after_ms_ = asn1_time_ms(X509_get0_notAfter(cert));
}

Result<Certificate> Certificate::from_pem(std::string_view text) {
  BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())), &BIO_free);
  X509* cert = bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (cert == nullptr)
    return make_error(ErrorCode::kInvalidParameter, "certificate: not a PEM X.509 certificate");
  return Certificate(cert);
}

Certificate Certificate::self_signed(const RsaPrivateKey& key, std::string_view serial_hex,
                                     std::string_view common_name, std::int64_t not_before_ms,
                                     std::int64_t not_after_ms) {
  X509* cert = X509_new();
  if (cert == nullptr) throw std::runtime_error("OpenSSL X509_new failed");
  Certificate owned(cert);  // frees cert on every path
  BIGNUM* serial = nullptr;
  const std::string serial_text(serial_hex);
  bool ok = BN_hex2bn(&serial, serial_text.c_str()) > 0;
  BignumPtr serial_owner(serial, &BN_free);
  ok = ok && X509_set_version(cert, 2) == 1 &&
       BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert)) != nullptr &&
       ASN1_TIME_set(X509_getm_notBefore(cert), static_cast<time_t>(not_before_ms / 1000)) != nullptr &&
       ASN1_TIME_set(X509_getm_notAfter(cert), static_cast<time_t>(not_after_ms / 1000)) != nullptr &&
       X509_set_pubkey(cert, key.native()) == 1;
  X509_NAME* name = X509_get_subject_name(cert);
  ok = ok &&
       X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                  reinterpret_cast<const unsigned char*>(common_name.data()),
                                  static_cast<int>(common_name.size()), -1, 0) == 1 &&
       X509_set_issuer_name(cert, name) == 1 && X509_sign(cert, key.native(), EVP_sha256()) > 0;
  if (!ok) throw std::runtime_error("OpenSSL: issuing a certificate failed");
  // Re-read so the serial and dates are exactly what the DER says.
  return from_pem(owned.to_pem()).value();
}

Result<RsaPublicKey> Certificate::public_key() const {
  EVP_PKEY* key = X509_get_pubkey(cert_.get());
  if (key == nullptr) return make_error(ErrorCode::kInvalidParameter, "certificate: no public key");
  return RsaPublicKey::adopt(PkeyPtr(key));
}

std::string Certificate::to_pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()), &BIO_free);
  if (!bio || PEM_write_bio_X509(bio.get(), cert_.get()) != 1)
    throw std::runtime_error("OpenSSL PEM_write_bio_X509 failed");
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(length));
}

}  // namespace paygate::crypto
