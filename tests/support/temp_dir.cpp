#include "temp_dir.hpp"

#include <cstdlib>
#include <string>
#include <system_error>
#include <vector>

namespace digikit::testing {

TempDir::TempDir()
{
    std::string pattern = (std::filesystem::temp_directory_path() / "digikit-test-XXXXXX").string();
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    if (::mkdtemp(buffer.data()) == nullptr) {
        throw std::system_error(errno, std::generic_category(), "mkdtemp " + pattern);
    }
    path_ = buffer.data();
}

TempDir::~TempDir()
{
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

}  // namespace digikit::testing
