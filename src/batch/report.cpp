// See report.h.
#include "batch/report.h"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <fstream>
#include <unordered_map>

#include "batch/item_folder.h"
#include "core/error.h"

namespace midistems::batch {

namespace fs = std::filesystem;

namespace {

constexpr uintmax_t kMaxReportBytes = uintmax_t(1) << 30;
constexpr size_t kMaxReportLine = 65536;

double nowSeconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

double number(const nlohmann::json& line, const char* key) {
  const auto it = line.find(key);
  return it != line.end() && it->is_number() ? it->get<double>() : 0.0;
}

}  // namespace

fs::path reportsDir(const fs::path& out) { return out / ".batch" / "reports"; }

ReportWriter::ReportWriter(const fs::path& out, const Shard& shard)
    : path_(reportsDir(out) / fmt::format("shard-{:04}-of-{:04}.jsonl", shard.index, shard.count)),
      shard_(shard.name()),
      host_(hostName()) {
  std::error_code ec;
  fs::create_directories(reportsDir(out), ec);
  if (ec || !fs::is_directory(reportsDir(out)))
    throw Error(reportsDir(out).string() + ": cannot create the reports folder" + (ec ? " (" + ec.message() + ")" : ""));
}

void ReportWriter::append(nlohmann::json line) const {
  line["shard"] = shard_;
  line["host"] = host_;
  line["pid"] = long(::getpid());
  line["time"] = nowSeconds();
  const std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  const int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw Error(path_.string() + ": cannot open the report");
  // One write per line: O_APPEND places it whole at the end even with other writers.
  const ssize_t written = ::write(fd, text.data(), text.size());
  ::close(fd);
  if (written != ssize_t(text.size())) throw Error(path_.string() + ": cannot append to the report (disk full?)");
}

MergedReport mergeReports(const fs::path& out) {
  MergedReport merged;
  const fs::path dir = reportsDir(out);
  std::error_code ec;
  std::vector<fs::path> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().extension() == ".jsonl" && it->is_regular_file(ec)) files.push_back(it->path());
  if (files.empty()) throw Error(out.string() + ": no batch reports (expected " + dir.string() + "/*.jsonl)");
  std::sort(files.begin(), files.end());

  struct Latest {
    double time = 0;
    size_t order = 0;
    nlohmann::json line;
  };
  std::unordered_map<std::string, Latest> latest;
  size_t order = 0;
  bool anyDone = false;
  for (const auto& file : files) {
    if (fs::file_size(file, ec) > kMaxReportBytes)
      throw Error(fmt::format("{}: report larger than {} GiB", file.string(), kMaxReportBytes >> 30));
    std::ifstream in(file, std::ios::binary);
    ++merged.reports;
    std::string text;
    while (std::getline(in, text)) {
      ++merged.lines;
      ++order;
      nlohmann::json line = text.size() > kMaxReportLine ? nlohmann::json() : nlohmann::json::parse(text, nullptr, false);
      if (line.is_discarded() || !line.is_object() || !line.contains("id") || !line["id"].is_string() ||
          !line.contains("status") || !line["status"].is_string()) {
        ++merged.damagedLines;
        continue;
      }
      const double time = number(line, "time");
      if (line["status"] == "done") {
        ++merged.madeNow;
        const double seconds = number(line, "seconds");
        merged.itemSeconds += seconds;
        merged.audioSeconds += number(line, "audio_seconds");
        merged.firstStart = anyDone ? std::min(merged.firstStart, time - seconds) : time - seconds;
        merged.lastEnd = anyDone ? std::max(merged.lastEnd, time) : time;
        anyDone = true;
      }
      auto& slot = latest[line["id"].get<std::string>()];
      if (slot.line.is_null() || time >= slot.time) slot = {time, order, std::move(line)};
    }
  }
  merged.items = latest.size();
  for (auto& [id, entry] : latest) {
    const std::string status = entry.line["status"];
    if (status == "done" || status == "skipped") ++merged.done;
    else if (status == "failed") {
      ++merged.failed;
      merged.failures.push_back(entry.line);
    } else {
      ++merged.interrupted;
    }
  }
  std::sort(merged.failures.begin(), merged.failures.end(),
            [](const auto& a, const auto& b) { return a["id"].template get<std::string>() < b["id"].template get<std::string>(); });
  return merged;
}

nlohmann::json mergedToJson(const MergedReport& m) {
  const double span = m.lastEnd - m.firstStart;
  nlohmann::json failures = nlohmann::json::array();
  for (const auto& f : m.failures)
    failures.push_back({{"id", f["id"]}, {"input", f.value("input", "")}, {"error", f.value("error", "")}});
  return {{"reports", m.reports},
          {"lines", m.lines},
          {"damaged_lines", m.damagedLines},
          {"items", m.items},
          {"done", m.done},
          {"failed", m.failed},
          {"interrupted", m.interrupted},
          {"made", m.madeNow},
          {"item_seconds", m.itemSeconds},
          {"audio_seconds", m.audioSeconds},
          {"songs_per_hour_per_task", m.itemSeconds > 0 ? 3600.0 * double(m.madeNow) / m.itemSeconds : 0.0},
          {"wall_seconds", m.madeNow ? span : 0.0},
          {"songs_per_hour", m.madeNow && span > 0 ? 3600.0 * double(m.madeNow) / span : 0.0},
          {"failures", failures}};
}

std::string mergedToText(const MergedReport& m) {
  const nlohmann::json j = mergedToJson(m);
  std::string text = fmt::format("{} items: {} done, {} failed, {} interrupted (from {} reports, {} lines",
                                 m.items, m.done, m.failed, m.interrupted, m.reports, m.lines);
  text += m.damagedLines ? fmt::format(", {} damaged lines ignored)\n", m.damagedLines) : ")\n";
  if (m.madeNow)
    text += fmt::format(
        "made {} items: {:.0f} s of audio in {:.0f} s of item time ({:.1f} songs per hour per task); "
        "{:.0f} s from first start to last finish ({:.1f} songs per hour in all)\n",
        m.madeNow, m.audioSeconds, m.itemSeconds, j["songs_per_hour_per_task"].get<double>(),
        j["wall_seconds"].get<double>(), j["songs_per_hour"].get<double>());
  for (const auto& f : m.failures)
    text += fmt::format("failed: {} ({}): {}\n", f["id"].get<std::string>(), f.value("input", ""), f.value("error", ""));
  return text;
}

}  // namespace midistems::batch
