#include "container/detach_keys.hpp"

#include "common/error.hpp"
#include "common/strings.hpp"

namespace pc::container {

std::string parse_detach_keys(const std::string& spec) {
    std::string out;
    if (spec.empty()) return out;
    for (const std::string& key : str::split(spec, ',')) {
        if (key.size() == 1) {
            out += key;
            continue;
        }
        // The control codes in ASCII order: ctrl-@ is 0, ctrl-a 1 ... ctrl-_ 31.
        static const std::string kCtrl = "@abcdefghijklmnopqrstuvwxyz[\\]^_";
        size_t pos = std::string::npos;
        if (key.size() == 6 && key.compare(0, 5, "ctrl-") == 0) pos = kCtrl.find(key[5]);
        if (pos == std::string::npos) throw Error("invalid detach keys: Unknown character: '" + key + "'");
        out += static_cast<char>(pos);
    }
    return out;
}

DetachKeyMatcher::Result DetachKeyMatcher::feed(std::string_view input) {
    Result r;
    if (keys_.empty()) {
        r.forward.assign(input);
        return r;
    }
    for (char ch : input) {
        if (ch == keys_[matched_]) {
            if (++matched_ == keys_.size()) {
                r.detach = true;
                matched_ = 0;
                return r;
            }
            continue;
        }
        // Not the sequence after all: release what was held, then look at `ch` afresh
        // (it may start the sequence itself, as the second ctrl-p of "ctrl-p ctrl-p").
        // Sequences whose prefix repeats inside them (rare for detach keys) are not
        // re-scanned beyond that.
        r.forward.append(keys_, 0, matched_);
        matched_ = 0;
        if (ch == keys_[0]) {
            if (keys_.size() == 1) {
                r.detach = true;
                return r;
            }
            matched_ = 1;
        } else {
            r.forward += ch;
        }
    }
    return r;
}

}  // namespace pc::container
