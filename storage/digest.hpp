// sha256 digests (OpenSSL EVP) in the "sha256:<hex>" form used by OCI.
#pragma once

#include <openssl/evp.h>

#include <memory>
#include <string>
#include <string_view>

namespace pc::storage {

class Sha256 {
public:
    Sha256();
    void update(const void* data, size_t len);
    // Lowercase hex of the digest; the hasher cannot be updated afterwards.
    std::string hex();

private:
    std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx_;
};

std::string sha256_hex(std::string_view data);
// True for exactly 64 lowercase hex digits.
bool is_hex64(std::string_view s);
// "sha256:<hex>" -> "<hex>"; throws pc::Error for any other algorithm or a malformed digest.
std::string digest_hex(std::string_view digest);
// OCI ChainID: the diff id for a base layer, else sha256(parent_chain + " " + diff_id).
std::string chain_id(const std::string& parent_chain_id, const std::string& diff_id);

}  // namespace pc::storage
