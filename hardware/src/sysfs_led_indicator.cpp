#include "digikit/hardware/indicator.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <system_error>

#include "file_descriptor.hpp"

namespace digikit::hardware {
namespace {

std::string first_word(const std::filesystem::path& file)
{
    std::ifstream in(file);
    std::string word;
    in >> word;
    return word;
}

// A sysfs attribute is no regular file: it cannot be replaced by a rename (atomic
// writes do not apply), it takes one short write, the way `echo 1 > brightness` does.
void write_attribute(const std::filesystem::path& file, const std::string& value)
{
    const FileDescriptor fd(::open(file.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
    if (fd.get() < 0) throw std::system_error(errno, std::generic_category(), "cannot open " + file.string());
    const ssize_t written = ::write(fd.get(), value.data(), value.size());
    if (written != static_cast<ssize_t>(value.size())) {
        throw std::system_error(written < 0 ? errno : EIO, std::generic_category(), "cannot write " + file.string());
    }
}

}  // namespace

SysfsLedIndicator::SysfsLedIndicator(const std::map<Output, std::filesystem::path>& leds)
{
    for (const auto& [output, folder] : leds) {
        const auto brightness = folder / "brightness";
        if (::access(brightness.c_str(), W_OK) != 0) {
            throw std::runtime_error("LED " + std::string(to_string(output)) + ": " + brightness.string() +
                                     " is missing or not writable (is " + folder.string() + " an LED class device?)");
        }
        // The kernel's trigger (heartbeat, mmc0, ...) would fight our pattern.
        if (std::filesystem::exists(folder / "trigger")) write_attribute(folder / "trigger", "none");
        std::string on_value = first_word(folder / "max_brightness");
        if (on_value.empty() || on_value == "0") on_value = "1";
        leds_[output] = Led{brightness, on_value};
    }
}

void SysfsLedIndicator::set(Output output, bool on)
{
    const auto it = leds_.find(output);
    if (it == leds_.end()) return;
    write_attribute(it->second.brightness, on ? it->second.on_value : "0");
}

}  // namespace digikit::hardware
