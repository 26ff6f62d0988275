#include "digikit/base/exception_barrier.hpp"

#include <exception>
#include <typeinfo>

namespace digikit::base {

std::string describe_current_exception()
{
    try {
        throw;
    } catch (const std::exception& error) {
        std::string text = error.what();
        for (char& c : text) {
            if (c == '\n' || c == '\r') c = ' ';
        }
        return text.empty() ? std::string(typeid(error).name()) : text;
    } catch (...) {
        return "unknown exception";
    }
}

bool run_behind_barrier(const std::function<void()>& work,
                        const std::function<void(const std::string& failure)>& on_failure) noexcept
{
    try {
        work();
        return true;
    } catch (...) {
        std::string failure;
        try {
            failure = describe_current_exception();
        } catch (...) {  // no memory left to describe it
        }
        try {
            if (on_failure) on_failure(failure.empty() ? "unknown exception" : failure);
        } catch (...) {  // the report itself failed (a full log disk): the thread still goes on
        }
        return false;
    }
}

}  // namespace digikit::base
