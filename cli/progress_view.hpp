// Rendering of image::Progress on stderr. On a terminal: one line per blob with bytes,
// total and rate, redrawn in place (at most ~10 times a second). Elsewhere (a log, a pipe)
// Podman's plain lines: the messages and one "Copying blob DIGEST" per blob. With -q
// transfers report to image::no_progress().
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "image/progress.hpp"

namespace pc::cli {

class TerminalProgress : public image::Progress {
public:
    void message(const std::string& text) override;
    void start(const std::string& id, uint64_t total) override;
    void advance(const std::string& id, uint64_t done) override;
    void finish(const std::string& id, const std::string& status) override;

private:
    struct Item {
        uint64_t total = 0, done = 0;
        std::chrono::steady_clock::time_point started;
    };
    void draw(const std::string& id, const Item& item, bool final_line, const std::string& status);
    std::map<std::string, Item> items_;
    std::chrono::steady_clock::time_point last_draw_{};
    std::string live_;  // id of the line currently drawn without a newline
};

class PlainProgress : public image::Progress {
public:
    void message(const std::string& text) override;
    void start(const std::string& id, uint64_t total) override;
    void advance(const std::string&, uint64_t) override {}
    void finish(const std::string& id, const std::string& status) override;

private:
    std::map<std::string, bool> shown_;
};

// The progress sink for a command: silent when `quiet`, else a TerminalProgress when
// stderr is a terminal, a PlainProgress when it is not.
image::Progress& progress_for(bool quiet);

}  // namespace pc::cli
