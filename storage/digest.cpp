#include "storage/digest.hpp"

#include "common/error.hpp"
#include "common/strings.hpp"

namespace pc::storage {

Sha256::Sha256() : ctx_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
    if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1)
        throw Error("sha256: cannot initialise OpenSSL digest");
}

void Sha256::update(const void* data, size_t len) {
    if (len && EVP_DigestUpdate(ctx_.get(), data, len) != 1) throw Error("sha256: digest update failed");
}

std::string Sha256::hex() {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (EVP_DigestFinal_ex(ctx_.get(), md, &n) != 1) throw Error("sha256: digest final failed");
    return str::to_hex(md, n);
}

std::string sha256_hex(std::string_view data) {
    Sha256 h;
    h.update(data.data(), data.size());
    return h.hex();
}

std::string chain_id(const std::string& parent_chain_id, const std::string& diff_id) {
    if (parent_chain_id.empty()) return diff_id;
    return "sha256:" + sha256_hex(parent_chain_id + " " + diff_id);
}

}  // namespace pc::storage
