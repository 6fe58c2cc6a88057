// Table output shaped like Podman's: Go's text/tabwriter with Podman's settings
// (minwidth 12, padding 2, pad char ' '), so `pc ps`/`pc images` columns line up
// byte-for-byte with `podman ps`/`podman images`:
//
//   CONTAINER ID  IMAGE                COMMAND     CREATED         STATUS      PORTS       NAMES
//   9a7037e7af51  localhost/bb:latest  sleep 1000  2 minutes ago   Created                 c1
//
// Every column but the last is as wide as its widest cell plus 2, and at least 12; the
// last cell of a line is never padded (no trailing spaces).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pc::cli {

class TableWriter {
public:
    // Empty `headers` means no header line (--noheading).
    explicit TableWriter(std::vector<std::string> headers);
    void add_row(std::vector<std::string> cells);
    // Header and rows, each line ending in "\n". Cells must not contain '\t' or '\n'
    // (they would split cells, as in Podman).
    std::string render() const;

private:
    std::vector<std::string> headers_;
    std::vector<std::vector<std::string>> rows_;
};

// Go's tabwriter.Writer over `text` then Flush(): cells are terminated by '\t', the text
// after a line's last tab is not part of a column, and a column's width is computed over
// each run of consecutive lines that have that column ("column blocks"). Widths count
// UTF-8 characters. Used for `--format 'table ...'`, where the rendered rows carry tabs.
std::string tabwriter_layout(std::string_view text, size_t minwidth = 12, size_t padding = 2);

// Podman's default header for a template field (report.Headers): the last element of the
// field chain, split at camel-case boundaries, upper-cased: "CreatedAt" -> "CREATED AT",
// "ID" -> "ID", "IPAddress" -> "IP ADDRESS", "Config.Image" -> "IMAGE".
std::string header_for_field(std::string_view field);

}  // namespace pc::cli
