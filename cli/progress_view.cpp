#include "cli/progress_view.hpp"

#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "cli/human_units.hpp"

namespace pc::cli {

namespace {
std::string short_id(const std::string& id) {
    auto colon = id.find(':');
    std::string hex = colon == std::string::npos ? id : id.substr(colon + 1);
    return hex.size() > 12 && colon != std::string::npos ? hex.substr(0, 12) : id;
}
}  // namespace

void TerminalProgress::message(const std::string& text) {
    if (!live_.empty()) std::cerr << "\n";
    live_.clear();
    std::cerr << text << std::endl;
}

void TerminalProgress::start(const std::string& id, uint64_t total) {
    Item it;
    it.total = total;
    it.started = std::chrono::steady_clock::now();
    items_[id] = it;
}

void TerminalProgress::advance(const std::string& id, uint64_t done) {
    auto it = items_.find(id);
    if (it == items_.end()) {
        start(id, 0);
        it = items_.find(id);
    }
    it->second.done = done;
    auto now = std::chrono::steady_clock::now();
    if (now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    draw(id, it->second, false, "");
}

void TerminalProgress::finish(const std::string& id, const std::string& status) {
    auto it = items_.find(id);
    Item item = it == items_.end() ? Item{} : it->second;
    if (it != items_.end()) items_.erase(it);
    draw(id, item, true, status);
}

void TerminalProgress::draw(const std::string& id, const Item& item, bool final_line, const std::string& status) {
    std::string line = "Copying blob " + short_id(id);
    if (final_line && item.done == 0) {
        line += " " + status;
    } else {
        double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - item.started).count();
        line.append(" ").append(human_size(item.done));
        if (item.total) line.append(" / ").append(human_size(item.total));
        if (secs > 0.05) line.append(" (").append(human_size(static_cast<uint64_t>(item.done / secs))).append("/s)");
        if (final_line) line += " " + status;
    }
    // \r + clear-to-end redraws the live line; a different item first ends the old line.
    if (!live_.empty() && live_ != id) std::cerr << "\n";
    std::cerr << "\r\033[K" << line;
    if (final_line) {
        std::cerr << "\n";
        live_.clear();
    } else {
        live_ = id;
    }
    std::cerr.flush();
}

void PlainProgress::message(const std::string& text) { std::cerr << text << std::endl; }

void PlainProgress::start(const std::string& id, uint64_t /*total*/) {
    if (!shown_[id]) std::cerr << "Copying blob " << id << std::endl;
    shown_[id] = true;
}

void PlainProgress::finish(const std::string& id, const std::string& /*status*/) { start(id, 0); }

image::Progress& progress_for(bool quiet) {
    static TerminalProgress terminal;
    static PlainProgress plain;
    if (quiet) return image::no_progress();
    if (!::isatty(STDERR_FILENO)) return plain;
    return terminal;
}

}  // namespace pc::cli
