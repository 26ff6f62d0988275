#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

// The order statistics the finder takes of sampled brightness values.
namespace digikit::imaging {

// The value of rank share * (count - 1) (rounded down) in ascending order: 0.5 takes the
// lower middle of an even count. 0 when there are no values.
template <typename T>
[[nodiscard]] T quantile(std::vector<T> values, double share)
{
    if (values.empty()) return T{};
    const auto at = values.begin() + static_cast<std::ptrdiff_t>(share * static_cast<double>(values.size() - 1));
    std::nth_element(values.begin(), at, values.end());
    return *at;
}

// The value at rank count / 2 in ascending order: the upper middle of an even count. 0
// when there are no values.
template <typename T>
[[nodiscard]] T median(std::vector<T> values)
{
    if (values.empty()) return T{};
    const auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
    std::nth_element(values.begin(), middle, values.end());
    return *middle;
}

}  // namespace digikit::imaging
