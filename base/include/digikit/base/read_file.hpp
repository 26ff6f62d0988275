#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace digikit::base {

// The whole file's bytes. Throws std::system_error naming the path ("cannot read
// /x/book.toml: Permission denied") when it cannot be opened or read.
[[nodiscard]] std::string read_file(const std::filesystem::path& path);

// The same, but std::nullopt when the file does not exist (an optional configuration
// file, a book.toml about to be written for the first time); any other failure throws.
[[nodiscard]] std::optional<std::string> read_file_if_exists(const std::filesystem::path& path);

}  // namespace digikit::base
