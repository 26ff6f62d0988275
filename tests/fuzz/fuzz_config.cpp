// The configuration loader against any bytes. Contract: parse_config either returns a
// configuration or throws ConfigError; what it returns is usable as it is (the defaults
// of a new book pass the book's own rules, the imaging options parse).
#include <cstdint>
#include <string_view>

#include "config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace digikit;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const firmware::Config config = firmware::parse_config(text, "fuzz.toml");
        (void)metadata::to_toml(firmware::new_book_metadata(config));
        (void)firmware::pipeline_options(config);
    } catch (const firmware::ConfigError&) {
        // a refusal, with its one line: what the contract allows
    }
    return 0;
}
