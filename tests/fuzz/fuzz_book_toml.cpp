// book.toml readers against any bytes. Contract: the tolerant reader never throws; what it
// keeps is exactly what the writer writes and reads back the same (the writer and every
// reader apply one set of rules); the strict reader fails exactly when the tolerant one
// finds a problem; a valid book always makes a description page and a Commons name.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "digikit/metadata/book_metadata.hpp"
#include "digikit/metadata/commons_name.hpp"
#include "digikit/metadata/wikitext.hpp"

namespace {

void expect(bool condition)
{
    if (!condition) std::abort();  // libFuzzer keeps the input that broke the contract
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace digikit::metadata;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const BookFile file = read_book_toml(text, "book.toml");

    const std::string written = to_toml(file.book);
    const BookFile again = read_book_toml(written, "book.toml");
    expect(again.problems.empty());
    expect(field_values(again.book) == field_values(file.book));
    expect(to_toml(again.book) == written);

    bool strict_ok = true;
    try {
        (void)parse_book_toml(text, "book.toml");
    } catch (const MetadataError&) {
        strict_ok = false;
    }
    expect(strict_ok == file.problems.empty());

    if (missing_for_upload(file.book).empty()) {
        PageInfo page;
        page.book_id = "20260101-001";
        page.page_number = 1;
        expect(!page_description(file.book, page).empty());
        CommonsFileNamer namer;
        expect(!namer.name_for(file.book, page).empty());
    }
    return 0;
}
