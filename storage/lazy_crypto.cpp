// libcrypto (OpenSSL), opened on first use (see common/lazy_library.hpp for why): sha256
// for digests and base64 for registry credentials.
#include <openssl/evp.h>

#include "common/lazy_library.hpp"
#include "storage/lazy_libraries.hpp"

namespace {

pc::common::LazyLibrary& crypto_library() {
    static pc::common::LazyLibrary library(PC_SONAME_CRYPTO, "sha256 digests");
    return library;
}

}  // namespace

namespace pc::storage {
void load_crypto_library() { crypto_library().load(); }
}  // namespace pc::storage

PC_LAZY_FORWARD(crypto_library(), EVP_MD_CTX*, EVP_MD_CTX_new, (void), ())
PC_LAZY_FORWARD(crypto_library(), void, EVP_MD_CTX_free, (EVP_MD_CTX * ctx), (ctx))
PC_LAZY_FORWARD(crypto_library(), const EVP_MD*, EVP_sha256, (void), ())
PC_LAZY_FORWARD(crypto_library(), int, EVP_DigestInit_ex,
                (EVP_MD_CTX * ctx, const EVP_MD* type, ENGINE* engine), (ctx, type, engine))
PC_LAZY_FORWARD(crypto_library(), int, EVP_DigestUpdate,
                (EVP_MD_CTX * ctx, const void* data, size_t count), (ctx, data, count))
PC_LAZY_FORWARD(crypto_library(), int, EVP_DigestFinal_ex,
                (EVP_MD_CTX * ctx, unsigned char* md, unsigned int* size), (ctx, md, size))
PC_LAZY_FORWARD(crypto_library(), int, EVP_EncodeBlock,
                (unsigned char* out, const unsigned char* in, int count), (out, in, count))
PC_LAZY_FORWARD(crypto_library(), int, EVP_DecodeBlock,
                (unsigned char* out, const unsigned char* in, int count), (out, in, count))
