#include "button_reader.hpp"

#include <stdexcept>
#include <utility>

#include "digikit/base/exception_barrier.hpp"

namespace digikit::hardware {

ButtonReader::ButtonReader(std::string source_name) : source_name_(std::move(source_name)) {}

ButtonReader::~ButtonReader()
{
    stop();
}

void ButtonReader::start(ButtonSource::EventHandler on_event, ButtonSource::ProblemHandler on_problem,
                         std::function<void()> loop)
{
    if (thread_.joinable()) throw std::logic_error(source_name_ + " started twice");
    on_event_ = std::move(on_event);
    on_problem_ = std::move(on_problem);
    thread_ = std::thread(std::move(loop));
}

void ButtonReader::stop()
{
    if (!thread_.joinable()) return;
    wake_.signal();
    thread_.join();
    wake_.clear();
}

void ButtonReader::deliver(const std::vector<ButtonEvent>& events) const
{
    for (const auto& event : events) {
        base::run_behind_barrier([&] { on_event_(event); },
                                 [this](const std::string& failure) { problem("button event lost: " + failure); });
    }
}

void ButtonReader::problem(const std::string& message) const
{
    if (on_problem_) on_problem_(message);
}

}  // namespace digikit::hardware
