#include "book_edits.hpp"

#include <stdexcept>

#include <spdlog/spdlog.h>

#include "book_publisher.hpp"
#include "commands.hpp"

namespace digikit::firmware {
namespace {

std::string existing_state(BookStore& store, const std::string& id)
{
    check_book_id(id);
    std::string state = store.book_state(id);
    if (state.empty()) throw std::runtime_error("no book '" + id + "' in " + store.data_dir().string());
    return state;
}

// A shot by the name people see (`book show`, `status`): its raw file's stem, e.g.
// "0003_left", or the raw file name itself.
Shot find_shot(BookStore& store, const std::string& id, const std::string& name)
{
    for (const auto& shot : store.shots_of(id)) {
        if (shot.name() == name || shot.raw.filename() == name) return shot;
    }
    throw std::runtime_error("book " + id + " has no shot '" + name + "' (shots are named like 0003_left: see " +
                             "digikit book show " + id + ")");
}

bool pages_queued(BookStore& store, const Shot& shot)
{
    for (const auto& page : store.pages_of(shot.book_id)) {
        if (page.shot_id == shot.id && page.queued) return true;
    }
    return false;
}

// After an edit of a closing book: queue what became ready, say where the book stands.
std::string progress_after(BookStore& store, const Config& config, const std::string& id)
{
    const auto progress = publish_ready_pages(store, config, id);
    if (progress.state == "closed") {
        return "; book closed, " + std::to_string(progress.pages_queued) + " page(s) queued for upload";
    }
    if (progress.state != "closing") return "";
    return "; " + progress.describe() + (progress.failed.empty() ? "" : "; " + failed_shots_advice(progress));
}

BookEditResult close(BookStore& store, const Config& config, const BookEdit& edit, const std::string& state)
{
    const std::string& id = edit.book;
    if (state == "closed") throw std::runtime_error("book " + id + " is already closed");
    std::string left_out;
    if (edit.without_failed) {
        std::string names;
        const auto failed = closing_progress(store, id).failed;
        for (const auto& shot : failed) {
            store.drop_shot(shot.id);
            spdlog::warn("shot {} of book {} left out (book close --without-failed); it failed: {}", shot.name(), id,
                         shot.failure);
            names += (names.empty() ? "" : ", ") + shot.name();
        }
        left_out = "left out " + std::to_string(failed.size()) + " failed shot(s)" +
                   (names.empty() ? "" : " (" + names + ")") + "; ";
    }
    if (state != "closing") return {left_out + end_book(store, config, id), false};
    return {left_out + "book " + id + " was ended already" + progress_after(store, config, id), false};
}

BookEditResult set(BookStore& store, const Config& config, const BookEdit& edit, const std::string& state)
{
    std::vector<std::pair<std::string, std::string>> fields;
    for (const auto& assignment : edit.arguments) {
        const auto equals = assignment.find('=');
        if (equals == std::string::npos || equals == 0) {
            throw std::runtime_error("'" + assignment + "' is not KEY=VALUE");
        }
        fields.emplace_back(assignment.substr(0, equals), assignment.substr(equals + 1));
    }
    const bool was_invalid = !store.read_book_file(edit.book).problems.empty();
    const auto errors = set_book_fields(store, edit.book, fields);
    if (!errors.empty()) throw std::runtime_error(errors.front().message);
    std::string message = "updated book " + edit.book;
    if (state == "closing") {
        message += progress_after(store, config, edit.book);
    } else if (const auto queued = queue_after_metadata_change(store, config, edit.book); !queued.empty()) {
        message += "; " + queued;
    }
    if (was_invalid) message += "; the invalid book.toml was kept as book.toml.invalid";
    return {message, false};
}

BookEditResult reprocess(BookStore& store, const BookEdit& edit, const std::string& state)
{
    const std::string& id = edit.book;
    if (state == "closed") throw std::runtime_error("book " + id + " is closed: its pages are queued already");
    if (edit.arguments.empty()) {
        const auto failed = store.retry_failed_shots(id);
        if (failed.empty()) return {"book " + id + " has no failed shots", false};
        return {"processing " + std::to_string(failed.size()) + " failed shot(s) of book " + id + " again", true};
    }
    const Shot shot = find_shot(store, id, edit.arguments.at(0));
    if (shot.dropped) throw std::runtime_error("shot " + shot.name() + " of book " + id + " was left out");
    if (pages_queued(store, shot)) {
        throw std::runtime_error("shot " + shot.name() + " of book " + id + " has pages queued for upload already");
    }
    store.reprocess_shot(shot.id);
    return {"processing shot " + shot.name() + " of book " + id + " again", true};
}

BookEditResult drop_shot(BookStore& store, const Config& config, const BookEdit& edit, const std::string& state)
{
    const std::string& id = edit.book;
    if (state == "closed") throw std::runtime_error("book " + id + " is closed: its pages are queued already");
    const Shot shot = find_shot(store, id, edit.arguments.at(0));
    if (shot.dropped) return {"shot " + shot.name() + " of book " + id + " is left out already", false};
    if (pages_queued(store, shot)) {
        throw std::runtime_error("shot " + shot.name() + " of book " + id +
                                 " has pages queued for upload already (digikit queue drop ID takes them out)");
    }
    store.drop_shot(shot.id);
    spdlog::warn("shot {} of book {} left out on request", shot.name(), id);
    const std::string more = state == "closing" ? progress_after(store, config, id) : "";
    return {"left shot " + shot.name() + " out of book " + id + more, false};
}

}  // namespace

BookEditResult apply_book_edit(BookStore& store, const Config& config, const BookEdit& edit)
{
    const std::string state = existing_state(store, edit.book);
    if (edit.command == "close") return close(store, config, edit, state);
    if (edit.command == "set") return set(store, config, edit, state);
    if (edit.command == "reprocess") return reprocess(store, edit, state);
    if (edit.command == "drop-shot") return drop_shot(store, config, edit, state);
    throw std::invalid_argument("unknown book command '" + edit.command + "'");
}

}  // namespace digikit::firmware
