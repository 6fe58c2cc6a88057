// The libraries storage/ opens on first use (common/lazy_library.hpp), to be opened ahead
// of time by code whose forked child will use them after changing its root.
#pragma once

namespace pc::storage {

// libarchive and libcrypto (a layer's digest is computed while it is extracted).
void load_archive_libraries();
// libcrypto alone (lazy_crypto.cpp).
void load_crypto_library();

}  // namespace pc::storage
