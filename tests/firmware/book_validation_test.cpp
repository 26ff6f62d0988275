// Validation at the door: what `book new`, `book set` and the configuration would store is
// checked by the rules every reader applies; a book.toml broken by hand is shown with its
// reason and repaired, and never stops the daemon or the other books.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <fstream>

#include <nlohmann/json.hpp>

#include "digikit/base/read_file.hpp"
#include "kit_under_test.hpp"

namespace digikit::firmware {
namespace {

using namespace std::chrono_literals;

std::size_t lines_of(const std::string& text)
{
    return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

class BookValidation : public KitUnderTest {
protected:
    void SetUp() override { write_config(""); }

    void write_config(const std::string& metadata)
    {
        KitUnderTest::write_config("[metadata]\ninstitution = \"Test Library\"\n" + metadata, {.spread = false});
    }

    std::size_t book_count()
    {
        const auto list = digikit({"book", "list", "--json"});
        EXPECT_EQ(list.exit_code, 0) << list.err;
        return nlohmann::json::parse(list.out).size();
    }

    std::string new_book(const std::string& title)
    {
        const auto created = digikit({"book", "new", "--title", title});
        EXPECT_EQ(created.exit_code, 0) << created.err;
        return created.out.substr(0, created.out.find('\n'));
    }

    nlohmann::json status()
    {
        const auto result = digikit({"status", "--json"});
        EXPECT_EQ(result.exit_code, 0) << result.err << log();
        return result.exit_code == 0 ? nlohmann::json::parse(result.out) : nlohmann::json::object();
    }

    void capture()
    {
        const auto result = digikit({"press", "capture"});
        EXPECT_EQ(result.exit_code, 0) << result.err << log();
    }
};

TEST_F(BookValidation, HostileCategoriesAreRefusedAndNothingIsWritten)
{
    const std::string keep = new_book("A book that stays fine");
    for (const std::string& category :
         {std::string("Maps|Atlases"), std::string("]]{{Delete}}[["), std::string(""), std::string(5000, 'c')}) {
        const auto result = digikit({"book", "new", "--title", "Atlas", "--category", category});
        EXPECT_EQ(result.exit_code, 1) << category.substr(0, 20);
        EXPECT_EQ(lines_of(result.err), 1U) << result.err;
        EXPECT_EQ(result.err.rfind("digikit: categories: ", 0), 0U) << result.err;
        EXPECT_EQ(result.out, "");
    }
    EXPECT_EQ(book_count(), 1U);
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(data_ / "books"), {}), 1);

    const auto set = digikit({"book", "set", keep, "category=Maps|Atlases"});
    EXPECT_EQ(set.exit_code, 1);
    EXPECT_EQ(set.err.rfind("digikit: categories: 'Maps|Atlases' contains '|'", 0), 0U) << set.err;
    EXPECT_EQ(digikit({"book", "show", keep}).exit_code, 0);
}

TEST_F(BookValidation, HostileConfigDefaultsAreRefusedNamingFileLineAndKey)
{
    const std::vector<std::pair<std::string, std::string>> cases{
        {"license = \"All-rights-reserved\"\n", "metadata.license: unknown licence 'All-rights-reserved'"},
        {"language = \"english!\"\n", "metadata.language: 'english!' is not an ISO 639"},
        {"categories = [\"Maps|Atlases\"]\n", "metadata.categories: 'Maps|Atlases' contains '|'"},
    };
    for (const auto& [line, expected] : cases) {
        write_config(line);
        for (const auto& command : std::vector<std::vector<std::string>>{{"book", "new", "--title", "T"}, {"run"}}) {
            const auto result = digikit(command);
            EXPECT_EQ(result.exit_code, 1) << line;
            EXPECT_EQ(result.err.rfind("digikit: " + config_.string() + ":4: " + expected, 0), 0U) << result.err;
            EXPECT_EQ(lines_of(result.err), 1U) << result.err;
        }
    }
    std::ofstream(config_) << "data_dir = \"" << data_.string() << "\"\n[metadata]\ninstitution = \""
                           << std::string(5000, 'i') << "\"\n";
    const auto long_institution = digikit({"book", "new", "--title", "T"});
    EXPECT_EQ(long_institution.exit_code, 1);
    EXPECT_NE(long_institution.err.find(":3: metadata.institution: too long (5000 bytes"), std::string::npos)
        << long_institution.err;
    EXPECT_FALSE(std::filesystem::exists(data_ / "books"));
}

TEST_F(BookValidation, ConfigDefaultsAreStoredAsTheReaderReadsThem)
{
    write_config("license = \"pd-old-100\"\nlanguage = \"DE\"\ncategories = [\"Category:Flora_Danica\"]\n");
    const std::string id = new_book("Flora");
    const auto shown = nlohmann::json::parse(digikit({"book", "show", id, "--json"}).out);
    EXPECT_EQ(shown["metadata"]["license"], "PD-old-100");
    EXPECT_EQ(shown["metadata"]["language"], "de");
    EXPECT_EQ(shown["metadata"]["categories"], nlohmann::json::array({"Flora Danica"}));
    EXPECT_EQ(shown["problems"], nlohmann::json::array());
}

// Before: the daemon died at the next `status` and at every restart ("resuming open
// book", exit 1), and book list/show/set failed for every book.
TEST_F(BookValidation, AHandBrokenBookIsShownAndRepairedWhileTheDaemonKeepsCapturing)
{
    const std::string other = new_book("Another book");
    start();
    ASSERT_EQ(digikit({"press", "new-book"}).exit_code, 0);  // opens the prepared book
    capture();
    const std::string id = status()["book"]["id"];
    ASSERT_EQ(id, other);
    const auto book_toml = data_ / "books" / id / "book.toml";
    const std::string broken =
        "title = \"Atlas of the World\"\ncategories = [\"Maps|Atlases\"]\n"
        "license = \"PD-old-70\"\n";
    std::ofstream(book_toml) << broken;
    const auto edited = std::chrono::steady_clock::now();

    // `status` answers from a snapshot the event loop takes about every second (it shows
    // its age): the first snapshot taken after the edit shows it.
    nlohmann::json state;
    ASSERT_TRUE(testing::wait_until(
        [&] {
            const auto asked = std::chrono::steady_clock::now();
            state = status();
            return asked - std::chrono::milliseconds(state.value("snapshot_age_ms", 0)) > edited;
        },
        std::chrono::seconds(10)))
        << state.dump();
    ASSERT_TRUE(state["book"].is_object()) << state.dump();
    EXPECT_EQ(state["book"]["title"], "Atlas of the World");
    ASSERT_EQ(state["book"]["problems"].size(), 1U) << state.dump();
    EXPECT_NE(state["book"]["problems"][0].get<std::string>().find(":2: categories: 'Maps|Atlases' contains '|'"),
              std::string::npos);
    capture();

    const std::string fine = new_book("A fine book");
    const auto list = digikit({"book", "list"});
    EXPECT_EQ(list.exit_code, 0) << list.err;
    EXPECT_NE(list.out.find(id + "  open  2 captures"), std::string::npos) << list.out;
    EXPECT_NE(list.out.find("INVALID: " + book_toml.string() + ":2: categories"), std::string::npos) << list.out;
    EXPECT_NE(list.out.find(fine + "  new  0 captures  0 pages  A fine book\n"), std::string::npos) << list.out;
    const auto show = digikit({"book", "show", id});
    EXPECT_EQ(show.exit_code, 0) << show.err;
    EXPECT_NE(show.out.find("INVALID: " + book_toml.string() + ":2: categories: 'Maps|Atlases'"), std::string::npos)
        << show.out;

    // A restart resumes the book instead of dying on it.
    EXPECT_EQ(daemon_->stop(SIGTERM), 0);
    start();
    EXPECT_EQ(status()["book"]["id"], id);
    capture();

    // Repairing without the broken field would drop it silently: refused, file untouched.
    const auto partial = digikit({"book", "set", id, "year=1890"});
    EXPECT_EQ(partial.exit_code, 1);
    EXPECT_EQ(lines_of(partial.err), 1U) << partial.err;
    EXPECT_NE(partial.err.find("stays invalid"), std::string::npos) << partial.err;
    EXPECT_NE(partial.err.find("categories"), std::string::npos) << partial.err;
    EXPECT_EQ(base::read_file(book_toml), broken);

    const auto repaired = digikit({"book", "set", id, "year=1890", "category=Maps, Atlases"});
    EXPECT_EQ(repaired.exit_code, 0) << repaired.err;
    EXPECT_EQ(base::read_file(book_toml.string() + ".invalid"), broken);
    const auto shown = nlohmann::json::parse(digikit({"book", "show", id, "--json"}).out);
    EXPECT_EQ(shown["problems"], nlohmann::json::array());
    EXPECT_EQ(shown["metadata"]["categories"], nlohmann::json::array({"Maps", "Atlases"}));
    EXPECT_EQ(shown["metadata"]["date"], "1890");
    EXPECT_EQ(shown["metadata"]["title"], "Atlas of the World");

    capture();
    state = status();
    EXPECT_EQ(state["book"]["captures"], 4);
    EXPECT_FALSE(state["book"].contains("problems")) << state.dump();
    EXPECT_EQ(daemon_->stop(SIGTERM), 0);
}

// A book.toml that is not TOML at all: shown, and written anew by `book set`, the old
// text kept beside it.
TEST_F(BookValidation, ABookTomlThatIsNotTomlIsShownAndReplaced)
{
    const std::string id = new_book("Herbal");
    const auto book_toml = data_ / "books" / id / "book.toml";
    std::ofstream(book_toml) << "title = \"unterminated\n\xff\xfe";
    const auto list = digikit({"book", "list", "--json"});
    ASSERT_EQ(list.exit_code, 0) << list.err;
    const auto books = nlohmann::json::parse(list.out);
    ASSERT_EQ(books.size(), 1U);
    EXPECT_NE(books[0]["problems"][0].get<std::string>().find(":1: not valid TOML"), std::string::npos);
    const auto closed = digikit({"book", "close", id});
    EXPECT_EQ(closed.exit_code, 0) << closed.err;
    EXPECT_NE(closed.out.find("not valid TOML"), std::string::npos) << closed.out;  // not queued

    const auto set = digikit({"book", "set", id, "title=Herbal"});
    EXPECT_EQ(set.exit_code, 0) << set.err;
    EXPECT_NE(set.out.find("book.toml.invalid"), std::string::npos) << set.out;
    EXPECT_EQ(nlohmann::json::parse(digikit({"book", "show", id, "--json"}).out)["metadata"]["title"], "Herbal");
    EXPECT_EQ(base::read_file(book_toml.string() + ".invalid"), "title = \"unterminated\n\xff\xfe");
}

}  // namespace
}  // namespace digikit::firmware
