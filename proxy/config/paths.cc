#include "config/paths.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <system_error>

#include "config/message.h"

namespace warren::config {
namespace {

// Appends the segments of `path` to `out`, leaving out empty and "." segments.
void appendSegments(std::string& out, std::string_view path) {
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view segment = path.substr(start, end - start);
    if (!segment.empty() && segment != ".") {
      if (!out.empty() && out.back() != '/') out += '/';
      out += segment;
    }
    start = end + 1;
  }
}

}  // namespace

std::string baseDirectoryOf(std::string_view source_name) {
  namespace fs = std::filesystem;
  const fs::path directory = fs::path(source_name).parent_path();
  if (directory.is_absolute()) return directory.string();
  std::error_code error;
  const fs::path cwd = fs::current_path(error);
  if (error) return directory.empty() ? std::string(".") : directory.string();
  return resolvePath(cwd.string(), directory.string());
}

std::string resolvePath(std::string_view base_dir, std::string_view path) {
  if (!path.empty() && path.front() == '/') return std::string(path);
  std::string out;
  if (!base_dir.empty() && base_dir.front() == '/') out = "/";
  appendSegments(out, base_dir);
  appendSegments(out, path);
  if (out.empty()) out = ".";
  return out;
}

std::string whyUnreadable(const std::string& path) {
  auto message = [](int error) {
    return std::error_code(error, std::generic_category()).message();
  };
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return message(errno);
  if (S_ISDIR(st.st_mode)) return message(EISDIR);
  if (!S_ISREG(st.st_mode)) return "not a regular file";
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return message(errno);
  ::close(fd);
  return "";
}

std::string cannotReadMessage(const std::string& path, const std::string& why) {
  return "cannot read file " + quote(path, kMaxShownPath) + ": " + why;
}

}  // namespace warren::config
