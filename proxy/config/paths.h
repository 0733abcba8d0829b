// File paths written in the config (certificates, keys, CA bundles): resolved against
// the config file's directory and checked for readability while loading, so that
// `warren check` names a missing file before any TLS code runs.
#pragma once

#include <string>
#include <string_view>

namespace warren::config {

// The absolute directory that relative paths in `source_name` are resolved against:
// the directory of `source_name`, or the current directory when it names none. Falls
// back to the relative form when the current directory cannot be found.
std::string baseDirectoryOf(std::string_view source_name);

// `path` when it is absolute; otherwise `base_dir` + "/" + `path`, without "." segments
// and repeated slashes. ".." segments are kept: removing them would be wrong when the
// segment before is a symbolic link, and open(2) resolves them the same way anyway.
std::string resolvePath(std::string_view base_dir, std::string_view path);

// "" when `path` names a regular file (symbolic links followed) that can be opened for
// reading; otherwise why not: the system's message ("No such file or directory",
// "Permission denied", "Is a directory"), or "not a regular file" for devices, FIFOs
// and sockets, which are refused without being opened (opening some devices has side
// effects). Opens and closes the file, reads nothing.
std::string whyUnreadable(const std::string& path);

// "cannot read file \"/etc/warren/a.crt\": No such file or directory".
std::string cannotReadMessage(const std::string& path, const std::string& why);

}  // namespace warren::config
