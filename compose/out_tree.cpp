#include "compose/out_tree.hpp"

namespace pc::compose {

Out::Out() = default;
Out::~Out() = default;
Out::Out(const Out&) = default;
Out::Out(Out&&) noexcept = default;
Out& Out::operator=(const Out&) = default;
Out& Out::operator=(Out&&) noexcept = default;

void Out::add(std::string key, Out value) { fields.emplace_back(std::move(key), std::move(value)); }

}  // namespace pc::compose
