#pragma once

#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <string_view>

namespace digikit::base {

// Writes `bytes` to `target` so that a power cut leaves either the old file or the
// whole new one: temporary file in the same folder, write, fsync, rename, fsync the
// folder. Throws std::system_error naming the path on failure; nothing is left behind.
void write_file_atomically(const std::filesystem::path& target, std::span<const std::byte> bytes);
void write_file_atomically(const std::filesystem::path& target, std::string_view text);

// For producers that must write through a library that opens a path itself (libtiff,
// exiv2, a camera download): write to temp_path(), then commit(). Destroyed without
// commit(), the temporary file is removed.
class AtomicFile {
public:
    explicit AtomicFile(std::filesystem::path target);
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;
    AtomicFile(AtomicFile&& other) noexcept;
    AtomicFile& operator=(AtomicFile&&) = delete;
    ~AtomicFile();

    [[nodiscard]] const std::filesystem::path& temp_path() const { return temp_; }
    [[nodiscard]] const std::filesystem::path& target() const { return target_; }

    // fsyncs the temporary file, renames it over the target and fsyncs the folder.
    void commit();

private:
    std::filesystem::path target_;
    std::filesystem::path temp_;
    bool committed_ = false;
};

// fsyncs a folder so that a rename or a new entry in it survives a power cut.
void fsync_directory(const std::filesystem::path& dir);

// True for the temporary files AtomicFile creates; start-up recovery removes them.
[[nodiscard]] bool is_atomic_temporary(const std::filesystem::path& path);

// Removes every atomic temporary file directly inside `dir`; returns how many.
std::size_t remove_atomic_temporaries(const std::filesystem::path& dir);
// Only those whose target's file name satisfies `is_mine` (a folder other programs also
// write into, where only our own leftovers may go).
std::size_t remove_atomic_temporaries(const std::filesystem::path& dir,
                                      const std::function<bool(const std::string& target_name)>& is_mine);

}  // namespace digikit::base
