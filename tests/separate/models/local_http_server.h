#pragma once
// A minimal HTTP/1.0 file server on 127.0.0.1 and an ephemeral port, for download tests: GET of a
// known path answers 200 with its bytes, anything else 404. One connection at a time; every
// connection accepted counts as a request.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>

namespace midistems::testing {

class LocalHttpServer {
 public:
  explicit LocalHttpServer(std::map<std::string, std::string> files) : files_(std::move(files)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof(addr);
    if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::listen(listener_, 8) != 0 || ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
      throw std::runtime_error("cannot start the local HTTP server");
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~LocalHttpServer() {
    stopping_ = true;
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }
  int requests() const { return requests_; }
  // From now on a file's answer announces its whole length but sends only its first `bytes`
  // before closing the connection: a download cut short.
  void truncateBodiesTo(size_t bytes) { truncateTo_ = bytes; }
  // From now on answers announce no length: the body ends when the connection closes.
  void omitContentLength() { omitLength_ = true; }

 private:
  void serve() {
    while (!stopping_) {
      const int client = ::accept(listener_, nullptr, nullptr);
      if (client < 0) break;
      std::string request;
      char buf[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        const ssize_t n = ::recv(client, buf, sizeof(buf), 0);
        if (n <= 0) break;
        request.append(buf, size_t(n));
      }
      ++requests_;
      // "GET /path HTTP/1.1"
      const size_t start = request.find(' ') + 1, end = request.find(' ', start);
      const std::string path = request.substr(start + 1, end - start - 1);
      const auto it = files_.find(path);
      std::string response;
      if (it == files_.end()) {
        response = "HTTP/1.0 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found";
      } else {
        const std::string length = omitLength_ ? "" : "Content-Length: " + std::to_string(it->second.size()) + "\r\n";
        response = "HTTP/1.0 200 OK\r\n" + length + "Connection: close\r\n\r\n" + it->second.substr(0, truncateTo_);
      }
      for (size_t sent = 0; sent < response.size();) {
        const ssize_t n = ::send(client, response.data() + sent, response.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += size_t(n);
      }
      ::close(client);
    }
  }

  std::map<std::string, std::string> files_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> requests_{0};
  std::atomic<size_t> truncateTo_{std::string::npos};
  std::atomic<bool> omitLength_{false};
  std::thread thread_;
};

}  // namespace midistems::testing
