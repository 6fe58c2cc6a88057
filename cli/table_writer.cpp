#include "cli/table_writer.hpp"

#include <cctype>

namespace pc::cli {

namespace {

size_t utf8_width(std::string_view s) {
    size_t n = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80) ++n;  // count lead bytes only
    return n;
}

struct Cell {
    std::string_view text;
    size_t width;
};

using Line = std::vector<Cell>;

class Formatter {
public:
    Formatter(std::vector<Line> lines, bool last_has_newline, size_t minwidth, size_t padding)
        : lines_(std::move(lines)), last_nl_(last_has_newline), minwidth_(minwidth), padding_(padding) {}

    std::string run() {
        format(0, lines_.size());
        return std::move(out_);
    }

private:
    std::vector<Line> lines_;
    bool last_nl_;
    size_t minwidth_, padding_;
    std::vector<size_t> widths_;
    std::string out_;

    void write_lines(size_t from, size_t to) {
        for (size_t i = from; i < to; ++i) {
            const Line& line = lines_[i];
            for (size_t j = 0; j < line.size(); ++j) {
                out_ += line[j].text;
                if (j < widths_.size() && line[j].width < widths_[j]) out_.append(widths_[j] - line[j].width, ' ');
            }
            if (i + 1 < lines_.size() || last_nl_) out_ += '\n';
        }
    }

    // Go's tabwriter.format: finds the block of consecutive lines that have a cell in the
    // current column, sizes the column over that block, and recurses to the next column.
    size_t format(size_t line0, size_t line1) {
        size_t column = widths_.size();
        size_t pos = line0;
        for (size_t cur = line0; cur < line1; ++cur) {
            if (column + 1 >= lines_[cur].size()) continue;
            write_lines(pos, cur);
            pos = cur;
            size_t width = minwidth_;
            for (; cur < line1; ++cur) {
                const Line& line = lines_[cur];
                if (column + 1 >= line.size()) break;
                width = std::max(width, line[column].width + padding_);
            }
            widths_.push_back(width);
            format(pos, cur);
            widths_.pop_back();
            pos = cur;
            if (cur == line1) break;
        }
        write_lines(pos, line1);
        return line1;
    }
};

}  // namespace

std::string tabwriter_layout(std::string_view text, size_t minwidth, size_t padding) {
    std::vector<Line> lines;
    bool last_nl = !text.empty() && text.back() == '\n';
    std::string_view body = last_nl ? text.substr(0, text.size() - 1) : text;
    if (text.empty()) return "";
    size_t start = 0;
    for (;;) {
        size_t nl = body.find('\n', start);
        std::string_view l = body.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
        Line line;
        size_t cs = 0;
        for (;;) {
            size_t tab = l.find('\t', cs);
            std::string_view c = l.substr(cs, tab == std::string_view::npos ? std::string_view::npos : tab - cs);
            line.push_back({c, utf8_width(c)});
            if (tab == std::string_view::npos) break;
            cs = tab + 1;
        }
        lines.push_back(std::move(line));
        if (nl == std::string_view::npos) break;
        start = nl + 1;
    }
    return Formatter(std::move(lines), last_nl, minwidth, padding).run();
}

TableWriter::TableWriter(std::vector<std::string> headers) : headers_(std::move(headers)) {}

void TableWriter::add_row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }

std::string TableWriter::render() const {
    std::string text;
    auto add = [&](const std::vector<std::string>& cells) {
        for (size_t i = 0; i < cells.size(); ++i) {
            if (i) text += '\t';
            text += cells[i];
        }
        text += '\n';
    };
    if (!headers_.empty()) add(headers_);
    for (const auto& r : rows_) add(r);
    return tabwriter_layout(text);
}

std::string header_for_field(std::string_view field) {
    size_t dot = field.rfind('.');
    std::string_view name = dot == std::string_view::npos ? field : field.substr(dot + 1);
    // camelcase.Split: runs of lower, upper, digit, other; then an upper run followed by a
    // lower run gives its last letter to the lower run ("PDFLoader" -> "PDF", "Loader").
    auto cls = [](unsigned char c) { return std::islower(c) ? 1 : std::isupper(c) ? 2 : std::isdigit(c) ? 3 : 4; };
    std::vector<std::string> runs;
    int last = 0;
    for (unsigned char c : name) {
        int k = c >= 0x80 ? 4 : cls(c);
        if (k == last && !runs.empty())
            runs.back() += static_cast<char>(c);
        else
            runs.emplace_back(1, static_cast<char>(c));
        last = k;
    }
    for (size_t i = 0; i + 1 < runs.size(); ++i) {
        auto a = static_cast<unsigned char>(runs[i][0]);
        auto b = static_cast<unsigned char>(runs[i + 1][0]);
        if (std::isupper(a) && std::islower(b)) {
            runs[i + 1].insert(runs[i + 1].begin(), runs[i].back());
            runs[i].pop_back();
        }
    }
    std::string out;
    for (const auto& r : runs) {
        if (r.empty()) continue;
        if (!out.empty()) out += ' ';
        for (char c : r) out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return out;
}

}  // namespace pc::cli
