#pragma once
// One HTTP(S) download with libcurl into a file that appears only when complete and verified.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

namespace midistems::separate {

// Downloads `url` to a hidden temporary name beside `target`, hashing as it goes; renames it onto
// `target` only when the SHA-256 starts with `sha256Prefix` (empty: no check) and, when
// `expectedSize` is not 0, the file has exactly that many bytes. A server that announces another
// length, or sends more, is cut off at once (a download never takes more disk than published).
// `progress` gets (bytes received, bytes expected or 0). Connecting (name lookup included) may take
// at most `connectTimeoutSeconds`. Throws midistems::Error with one line:
//   "cannot reach <host>: <reason>"              (name resolution, connection, TLS, timeout)
//   "<url>: HTTP <code> (...)"                    (404 and other HTTP errors)
//   "<url>: <n> bytes, the published size is <m>; download discarded"   (announced or received)
//   "<url>: more than the published <m> bytes; download discarded"       (a body without a length)
//   "<url>: checksum mismatch (expected sha256 <prefix>..., got <hex>); download discarded"
// and leaves neither `target` nor the temporary file behind on failure.
void downloadVerified(const std::string& url, const std::filesystem::path& target,
                      const std::string& sha256Prefix, uint64_t expectedSize,
                      const std::function<void(uint64_t, uint64_t)>& progress, long connectTimeoutSeconds);

}  // namespace midistems::separate
