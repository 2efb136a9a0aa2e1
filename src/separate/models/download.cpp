#include "separate/models/download.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <memory>
#include <mutex>

#include "core/atomic_file.h"
#include "core/error.h"
#include "separate/models/sha256.h"

namespace midistems::separate {
namespace {

struct Transfer {
  std::FILE* file = nullptr;
  Sha256 sha;
  bool writeFailed = false;
  uint64_t expectedSize = 0;  // 0: not published
  uint64_t received = 0;
  uint64_t announced = 0;     // the length the server announced, when it differs from expectedSize
  const std::function<void(uint64_t, uint64_t)>* progress = nullptr;
};

size_t onData(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t bytes = size * count;
  t->received += bytes;
  if (t->expectedSize && t->received > t->expectedSize) return 0;  // more than published: stop
  if (std::fwrite(data, 1, bytes, t->file) != bytes) {
    t->writeFailed = true;
    return 0;  // makes curl stop with CURLE_WRITE_ERROR
  }
  t->sha.update(data, bytes);
  return bytes;
}

int onProgress(void* user, curl_off_t total, curl_off_t received, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  if (t->expectedSize && total > 0 && uint64_t(total) != t->expectedSize) {
    t->announced = uint64_t(total);
    return 1;  // another file than the published one: abort before its body
  }
  // Until the server answers, the size is reported as unknown (0), published or not.
  const bool answered = total > 0 || received > 0;
  if (*t->progress) (*t->progress)(uint64_t(received), answered && t->expectedSize ? t->expectedSize : uint64_t(total));
  return 0;
}

std::string hostOf(const std::string& url) {
  std::string host = url;
  CURLU* u = curl_url();
  char* h = nullptr;
  if (u && curl_url_set(u, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK && h) {
    host = h;
    curl_free(h);
  }
  curl_url_cleanup(u);
  return host;
}

bool isReachabilityError(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
      return true;
    default:
      return false;
  }
}

struct CurlCloser {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};

}  // namespace

void downloadVerified(const std::string& url, const std::filesystem::path& target,
                      const std::string& sha256Prefix, uint64_t expectedSize,
                      const std::function<void(uint64_t, uint64_t)>& progress, long connectTimeoutSeconds) {
  static std::once_flag curlInit;
  std::call_once(curlInit, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });

  AtomicFile out(target);
  Transfer transfer;
  transfer.progress = &progress;
  transfer.expectedSize = expectedSize;
  transfer.file = std::fopen(out.tempPath().c_str(), "wb");
  if (!transfer.file) throw Error(target.string() + ": cannot open for writing");
  std::unique_ptr<CURL, CurlCloser> curl(curl_easy_init());
  if (!curl) {
    std::fclose(transfer.file);
    throw Error("cannot start a download (libcurl failed to initialise)");
  }
  char errorText[CURL_ERROR_SIZE] = "";
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errorText);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, connectTimeoutSeconds);
  // A stalled transfer (under 1 kB/s for a minute) is abandoned rather than hanging forever.
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1024L);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "midistems");
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, onData);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, onProgress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, &transfer);
  const CURLcode code = curl_easy_perform(c);
  const bool closed = std::fclose(transfer.file) == 0;

  const auto sizeMismatch = [&](uint64_t bytes) {
    return Error(fmt::format("{}: {} bytes, the published size is {}; download discarded", url, bytes, expectedSize));
  };
  if (transfer.announced) throw sizeMismatch(transfer.announced);
  if (expectedSize && transfer.received > expectedSize && !transfer.writeFailed)
    throw Error(fmt::format("{}: more than the published {} bytes; download discarded", url, expectedSize));
  if (code != CURLE_OK) {
    const std::string reason = errorText[0] ? errorText : curl_easy_strerror(code);
    if (code == CURLE_HTTP_RETURNED_ERROR) {
      long status = 0;
      curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
      throw Error(fmt::format("{}: HTTP {}{}", url, status,
                              status == 404 ? " (no such file on the server)" : ""));
    }
    if (isReachabilityError(code)) throw Error(fmt::format("cannot reach {}: {}", hostOf(url), reason));
    if (transfer.writeFailed || code == CURLE_WRITE_ERROR)
      throw Error(fmt::format("{}: cannot write the download (disk full?)", target.string()));
    throw Error(fmt::format("{}: download failed ({})", url, reason));
  }
  if (!closed) throw Error(fmt::format("{}: cannot write the download (disk full?)", target.string()));
  if (expectedSize && transfer.received != expectedSize) throw sizeMismatch(transfer.received);
  const std::string digest = transfer.sha.hexDigest();
  std::string prefix = sha256Prefix;
  std::transform(prefix.begin(), prefix.end(), prefix.begin(), [](unsigned char ch) { return char(std::tolower(ch)); });
  if (digest.compare(0, prefix.size(), prefix) != 0)
    throw Error(fmt::format("{}: checksum mismatch (expected sha256 {}..., got {}); download discarded",
                            url, prefix, digest));
  out.commit();
}

}  // namespace midistems::separate
