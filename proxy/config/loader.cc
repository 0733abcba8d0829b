#include "config/loader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "config/decode.h"
#include "config/error_list.h"
#include "config/paths.h"
#include "config/validate.h"

namespace warren::config {
namespace {

// A config file is a few KiB; anything this big is a mistake (a log, a core file).
constexpr off_t kMaxFileSize = 16 * 1024 * 1024;

// Reads the whole file; returns 0 or an errno value.
int readWholeFile(const std::string& path, std::string& out) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  int error = 0;
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    error = errno;
  } else if (S_ISDIR(st.st_mode)) {
    error = EISDIR;
  } else if (st.st_size > kMaxFileSize) {
    error = EFBIG;
  } else {
    char buf[64 * 1024];
    while (true) {
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        error = errno;
        break;
      }
      if (n == 0) break;
      out.append(buf, static_cast<size_t>(n));
      if (out.size() > static_cast<size_t>(kMaxFileSize)) {
        error = EFBIG;
        break;
      }
    }
  }
  ::close(fd);
  return error;
}

LoadResult failure(const std::string& file, std::string message) {
  LoadResult result;
  result.errors.push_back(ConfigError{file, 0, 0, "", std::move(message)});
  return result;
}

}  // namespace

std::string ConfigError::format() const {
  std::string out = file;
  if (line != 0) out += ":" + std::to_string(line) + ":" + std::to_string(column);
  out += ": ";
  if (!key.empty()) out += key + ": ";
  out += message;
  return out;
}

LoadResult loadString(std::string_view toml_text, const std::string& source_name) {
  try {
    toml::table root;
    try {
      root = toml::parse(toml_text, std::string_view(source_name));
    } catch (const toml::parse_error& e) {
      LoadResult result;
      result.errors.push_back(ConfigError{source_name, e.source().begin.line,
                                          e.source().begin.column, "",
                                          std::string(e.description())});
      return result;
    }
    ErrorList errors(source_name);
    SourceMap sources;
    Config config = decodeConfig(root, baseDirectoryOf(source_name), errors, sources);
    validateConfig(config, sources, errors);
    LoadResult result;
    if (!errors.empty()) {
      result.errors = errors.take();
      return result;
    }
    config.source = source_name;
    result.config = std::make_shared<const Config>(std::move(config));
    return result;
  } catch (const std::exception& e) {
    return failure(source_name, std::string("internal error: ") + e.what());
  } catch (...) {
    return failure(source_name, "internal error");
  }
}

LoadResult loadFile(const std::string& path) {
  std::string text;
  if (const int error = readWholeFile(path, text); error != 0) {
    return failure(
        path, "cannot read file: " + std::error_code(error, std::generic_category()).message());
  }
  return loadString(text, path);
}

}  // namespace warren::config
