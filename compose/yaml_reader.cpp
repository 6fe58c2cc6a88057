#include "compose/yaml_reader.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>
#include <cstdio>
#include <sstream>

#include "compose/errors.hpp"

namespace pc::compose {

namespace {

// ---- text checks -------------------------------------------------------------------

// Decodes one UTF-8 sequence at s[i]; returns its length, 0 when invalid.
size_t utf8_sequence(std::string_view s, size_t i, uint32_t& cp) {
    auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) {
        cp = b0;
        return 1;
    }
    size_t len = 0;
    uint32_t min = 0;
    if ((b0 & 0xE0) == 0xC0) {
        len = 2, cp = b0 & 0x1F, min = 0x80;
    } else if ((b0 & 0xF0) == 0xE0) {
        len = 3, cp = b0 & 0x0F, min = 0x800;
    } else if ((b0 & 0xF8) == 0xF0) {
        len = 4, cp = b0 & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (i + len > s.size()) return 0;
    for (size_t k = 1; k < len; ++k) {
        auto b = static_cast<unsigned char>(s[i + k]);
        if ((b & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (b & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return len;
}

bool yaml_printable(uint32_t cp) {
    return cp == 0x09 || cp == 0x0A || cp == 0x0D || (cp >= 0x20 && cp <= 0x7E) || cp == 0x85 ||
           (cp >= 0xA0 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

// ---- Go's YAML scalar resolution ----------------------------------------------------

// strconv.ParseInt(s, 0, 64): optional sign, then 0x / 0o / 0b / leading-0 octal / decimal.
std::optional<int64_t> go_parse_int(std::string_view s) {
    if (s.empty()) return std::nullopt;
    bool neg = false;
    size_t i = 0;
    if (s[0] == '+' || s[0] == '-') {
        neg = s[0] == '-';
        i = 1;
    }
    int base = 10;
    if (s.size() - i >= 2 && s[i] == '0') {
        char p = static_cast<char>(s[i + 1] | 0x20);
        if (p == 'x') base = 16, i += 2;
        else if (p == 'o') base = 8, i += 2;
        else if (p == 'b') base = 2, i += 2;
        else base = 8, i += 1;
    }
    if (i >= s.size()) return std::nullopt;
    unsigned __int128 v = 0;
    for (; i < s.size(); ++i) {
        char c = s[i];
        int d = 0;
        if (c >= '0' && c <= '9') d = c - '0';
        else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
        else return std::nullopt;
        if (d >= base) return std::nullopt;
        v = v * static_cast<unsigned>(base) + static_cast<unsigned>(d);
        if (v > (static_cast<unsigned __int128>(1) << 64)) return std::nullopt;
    }
    if (neg) {
        if (v > (static_cast<unsigned __int128>(1) << 63)) return std::nullopt;
        return static_cast<int64_t>(-static_cast<__int128>(v));
    }
    if (v > static_cast<unsigned __int128>(INT64_MAX)) return std::nullopt;
    return static_cast<int64_t>(v);
}

std::optional<double> parse_decimal_float(const std::string& s) {
    if (s.empty()) return std::nullopt;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')) return std::nullopt;
    errno = 0;
    char* end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (end != s.c_str() + s.size() || errno == ERANGE) return std::nullopt;
    return v;
}

bool looks_like_timestamp(std::string_view s) {
    // Go's YAML tries timestamps only for "YYYY-..." and keeps them as strings anyway.
    size_t i = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i == 4 && i < s.size() && s[i] == '-';
}

// Go YAML's yamlStyleFloat: ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
bool yaml_style_float(std::string_view s) {
    size_t i = 0;
    auto digits = [&] {
        size_t start = i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
        return i - start;
    };
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (i < s.size() && s[i] == '.') {
        ++i;
        if (digits() == 0) return false;
    } else {
        if (digits() == 0) return false;
        if (i < s.size() && s[i] == '.') {
            ++i;
            digits();
        }
    }
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
        if (digits() == 0) return false;
    }
    return i == s.size();
}

std::string hex_byte(unsigned char b) {
    static const char* hex = "0123456789abcdef";
    return std::string{hex[b >> 4], hex[b & 15]};
}

std::string codepoint_name(uint32_t cp) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "U+%04X", cp);
    return buf;
}

// ---- the event handler -------------------------------------------------------------

enum class TagEffect { None, Reset, Override };

struct Anchored {
    Node node;
    TagEffect effect = TagEffect::None;
    size_t weight = 0;
};

struct Frame {
    Node node;
    Path path;
    YAML::anchor_t anchor = 0;
    TagEffect effect = TagEffect::None;
    // mapping state
    bool have_key = false;
    std::string key;
    Mark key_mark;
    bool key_is_merge = false;
    std::vector<Node> merges;
    std::map<std::string, int> key_lines;
};

class Builder : public YAML::EventHandler {
public:
    explicit Builder(std::shared_ptr<const std::string> file) : file_(std::move(file)) {}

    std::vector<YamlDocument> documents;

    void OnDocumentStart(const YAML::Mark& /*mark*/) override {
        stack_.clear();
        anchors_.clear();
        root_.reset();
        resets_.clear();
    }

    void OnDocumentEnd() override {
        if (!root_ || root_->is_null()) return;  // an empty document
        if (!root_->is_map()) fail_at(root_->mark(), "top-level object must be a mapping");
        documents.push_back(YamlDocument{std::move(*root_), std::move(resets_)});
        root_.reset();
        resets_.clear();
    }

    void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
        complete(Node::null(to_mark(mark)), anchor, TagEffect::None);
    }

    void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
        auto it = anchors_.find(anchor);
        if (it == anchors_.end())
            fail_at(to_mark(mark), "alias refers to an anchor whose node is not complete (a recursive alias)");
        count(it->second.weight, to_mark(mark));
        Node copy = it->second.node;
        attach(std::move(copy), it->second.effect, to_mark(mark));
    }

    void OnScalar(const YAML::Mark& ymark, const std::string& tag, YAML::anchor_t anchor,
                  const std::string& value) override {
        Mark mark = to_mark(ymark);
        TagEffect effect = effect_of(tag);
        Node n;
        if (tag == "?" || effect != TagEffect::None) {
            n = effect == TagEffect::Reset && value.empty() ? Node::null(mark) : resolve_plain_scalar(value, mark);
        } else if (tag == "!" || tag == "tag:yaml.org,2002:str") {
            n = Node::string(value, mark);
        } else if (tag == "tag:yaml.org,2002:int") {
            Node r = resolve_plain_scalar(value, mark);
            if (!r.is_int()) fail_at(mark, "yaml: cannot decode !!str `" + value + "` as a !!int");
            n = std::move(r);
        } else if (tag == "tag:yaml.org,2002:float") {
            Node r = resolve_plain_scalar(value, mark);
            if (r.is_int()) r = Node::floating(static_cast<double>(r.as_int()), mark);
            if (!r.is_float()) fail_at(mark, "yaml: cannot decode !!str `" + value + "` as a !!float");
            n = std::move(r);
        } else if (tag == "tag:yaml.org,2002:bool") {
            Node r = resolve_plain_scalar(value, mark);
            if (!r.is_bool()) fail_at(mark, "yaml: cannot decode !!str `" + value + "` as a !!bool");
            n = std::move(r);
        } else if (tag == "tag:yaml.org,2002:null") {
            n = Node::null(mark);
        } else {
            n = Node::string(value, mark);  // unknown tags: the text, unresolved (as Go's YAML)
        }
        bool plain_merge_key = tag == "?" && value == "<<";
        complete(std::move(n), anchor, effect, plain_merge_key);
    }

    void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                         YAML::EmitterStyle::value /*style*/) override {
        open(Node::sequence(to_mark(mark)), anchor, effect_of(tag));
    }

    void OnSequenceEnd() override { close(); }

    void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                    YAML::EmitterStyle::value /*style*/) override {
        open(Node::mapping(to_mark(mark)), anchor, effect_of(tag));
    }

    void OnMapEnd() override {
        Frame& f = stack_.back();
        apply_merges(f);
        close();
    }

private:
    Mark to_mark(const YAML::Mark& m) const { return Mark{file_, m.line + 1, m.column + 1}; }

    static TagEffect effect_of(const std::string& tag) {
        if (tag == "!reset") return TagEffect::Reset;
        if (tag == "!override") return TagEffect::Override;
        return TagEffect::None;
    }

    void count(size_t n, const Mark& mark) {
        // yaml-cpp 0.7 can loop on some invalid input (a ',' at the start of a line in a
        // block mapping), reporting empty nodes at one position forever: nodes at a single
        // position are at most a handful (a mapping and its first key) otherwise.
        if (mark.line == last_line_ && mark.column == last_column_) {
            if (++same_position_ > kMaxNodesAtOnePosition)
                fail_at(mark, "invalid YAML: the parser does not advance past this position");
        } else {
            last_line_ = mark.line;
            last_column_ = mark.column;
            same_position_ = 0;
        }
        nodes_ += n;
        if (nodes_ > kMaxNodesPerFile)
            fail_at(mark, "the document has more than " + std::to_string(kMaxNodesPerFile) +
                              " nodes, counting alias expansions: refusing it (a YAML alias bomb?)");
    }

    // The path a new child of the top frame gets.
    Path child_path() const {
        if (stack_.empty()) return Path{};
        const Frame& top = stack_.back();
        if (top.node.is_seq()) return top.path.item(top.node.items().size());
        return top.path.next(top.key);
    }

    void open(Node n, YAML::anchor_t anchor, TagEffect effect) {
        count(1, n.mark());
        Frame f;
        f.path = child_path();
        f.node = std::move(n);
        f.anchor = anchor;
        f.effect = effect;
        if (!stack_.empty() && stack_.back().node.is_map() && !stack_.back().have_key)
            fail_at(f.node.mark(), std::string("non-string key ") + key_location() + ": a " +
                                       kind_name(f.node.kind()) + " cannot be a mapping key");
        stack_.push_back(std::move(f));
    }

    void close() {
        Frame f = std::move(stack_.back());
        stack_.pop_back();
        complete(std::move(f.node), f.anchor, f.effect);
    }

    void complete(Node n, YAML::anchor_t anchor, TagEffect effect, bool plain_merge_key = false) {
        if (n.is_scalar()) count(1, n.mark());
        if (anchor != 0) anchors_[anchor] = Anchored{n, effect, n.weight()};
        attach(std::move(n), effect, {}, plain_merge_key);
    }

    std::string key_location() const {
        std::string where = stack_.back().path.str();
        return where.empty() ? "at top level" : "in " + where;
    }

    void attach(Node n, TagEffect effect, const Mark& alias_mark = {}, bool plain_merge_key = false) {
        if (alias_mark.file) n.set_mark(alias_mark);
        if (stack_.empty()) {
            root_ = effect == TagEffect::Reset ? Node::null(n.mark()) : std::move(n);
            return;
        }
        Frame& top = stack_.back();
        if (top.node.is_seq()) {
            if (effect == TagEffect::Reset) return;  // a `!reset` item is dropped
            top.node.push_back(std::move(n));
            return;
        }
        if (!top.have_key) {
            take_key(top, std::move(n), plain_merge_key);
            return;
        }
        top.have_key = false;
        if (top.key_is_merge) {
            top.merges.push_back(std::move(n));
            return;
        }
        if (auto it = top.key_lines.find(top.key); it != top.key_lines.end())
            fail_at(top.key_mark, "mapping key \"" + top.key + "\" already defined at line " + std::to_string(it->second));
        top.key_lines[top.key] = top.key_mark.line;
        if (effect != TagEffect::None) resets_.push_back(top.path.next(top.key));
        if (effect == TagEffect::Reset) return;
        top.node.entries().push_back(MapEntry{top.key, top.key_mark, std::move(n)});
    }

    void take_key(Frame& top, Node n, bool plain_merge_key) {
        top.have_key = true;
        top.key_is_merge = plain_merge_key;
        top.key_mark = n.mark();
        if (plain_merge_key) {
            top.key = "<<";
            return;
        }
        if (!n.is_string()) {
            std::string shown = n.is_null() ? "<nil>" : n.scalar_text();
            fail_at(n.mark(), "non-string key " + key_location() + ": " + shown);
        }
        top.key = std::move(n.as_string());
    }

    // `<<: *a` or `<<: [*a, *b]`: keys of the mapping itself win, then earlier sources.
    void apply_merges(Frame& f) {
        for (Node& src : f.merges) {
            std::vector<Node*> maps;
            if (src.is_map()) {
                maps.push_back(&src);
            } else if (src.is_seq()) {
                for (Node& item : src.items()) {
                    if (!item.is_map()) fail_at(item.mark(), "map merge requires map or sequence of maps as the value");
                    maps.push_back(&item);
                }
            } else {
                fail_at(src.mark(), "map merge requires map or sequence of maps as the value");
            }
            for (Node* m : maps)
                for (MapEntry& e : m->entries())
                    if (!f.node.has(e.key)) f.node.entries().push_back(e);
        }
        f.merges.clear();
    }

    std::shared_ptr<const std::string> file_;
    std::vector<Frame> stack_;
    std::map<YAML::anchor_t, Anchored> anchors_;
    std::optional<Node> root_;
    std::vector<Path> resets_;
    size_t nodes_ = 0;
    int last_line_ = -1;
    int last_column_ = -1;
    size_t same_position_ = 0;
};

}  // namespace

Node resolve_plain_scalar(const std::string& in, Mark mark) {
    static const std::map<std::string, int> words = {
        {"true", 1},  {"True", 1},  {"TRUE", 1},  {"false", 0}, {"False", 0}, {"FALSE", 0},
        {"", 2},      {"~", 2},     {"null", 2},  {"Null", 2},  {"NULL", 2},  {".nan", 3},
        {".NaN", 3},  {".NAN", 3},  {".inf", 4},  {".Inf", 4},  {".INF", 4},  {"+.inf", 4},
        {"+.Inf", 4}, {"+.INF", 4}, {"-.inf", 5}, {"-.Inf", 5}, {"-.INF", 5},
    };
    if (auto it = words.find(in); it != words.end()) {
        switch (it->second) {
        case 0: return Node::boolean(false, std::move(mark));
        case 1: return Node::boolean(true, std::move(mark));
        case 2: return Node::null(std::move(mark));
        case 3: return Node::floating(std::nan(""), std::move(mark));
        case 4: return Node::floating(HUGE_VAL, std::move(mark));
        default: return Node::floating(-HUGE_VAL, std::move(mark));
        }
    }
    char c = in[0];
    if (c == '.') {
        if (in.find('_') == std::string::npos)
            if (auto f = parse_decimal_float(in)) return Node::floating(*f, std::move(mark));
        return Node::string(in, std::move(mark));
    }
    if (c == '+' || c == '-' || (c >= '0' && c <= '9')) {
        if (looks_like_timestamp(in)) return Node::string(in, std::move(mark));
        std::string plain;
        plain.reserve(in.size());
        for (char ch : in)
            if (ch != '_') plain.push_back(ch);
        if (auto i = go_parse_int(plain)) return Node::integer(*i, std::move(mark));
        if (yaml_style_float(plain))
            if (auto f = parse_decimal_float(plain)) return Node::floating(*f, std::move(mark));
    }
    return Node::string(in, std::move(mark));
}

bool yaml_timestamp(const std::string& s) {
    // Go's time.Parse of "2006-1-2" optionally followed by "T15:4:5.999999999Z07:00" (T or
    // t) or " 15:4:5.999999999".
    size_t i = 0;
    auto number = [&](size_t min, size_t max, int& v) {
        size_t start = i;
        v = 0;
        while (i < s.size() && i - start < max && s[i] >= '0' && s[i] <= '9') v = v * 10 + (s[i++] - '0');
        return i - start >= min;
    };
    int year = 0, month = 0, day = 0;
    if (!number(4, 4, year) || i >= s.size() || s[i++] != '-' || !number(1, 2, month) || i >= s.size() ||
        s[i++] != '-' || !number(1, 2, day))
        return false;
    static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12 || day < 1 || day > days[month - 1]) return false;
    if (month == 2 && day == 29 && !(year % 4 == 0 && (year % 100 != 0 || year % 400 == 0))) return false;
    if (i == s.size()) return true;
    char sep = s[i++];
    if (sep != 'T' && sep != 't' && sep != ' ') return false;
    int h = 0, m = 0, sec = 0;
    if (!number(1, 2, h) || h > 23 || i >= s.size() || s[i++] != ':' || !number(1, 2, m) || m > 59 || i >= s.size() ||
        s[i++] != ':' || !number(1, 2, sec) || sec > 59)
        return false;
    if (i < s.size() && s[i] == '.') {
        ++i;
        int frac = 0;
        if (!number(1, 9, frac)) return false;
    }
    if (sep == ' ') return i == s.size();
    if (i < s.size() && s[i] == 'Z') return i + 1 == s.size();
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
        ++i;
        int zh = 0, zm = 0;
        return number(2, 2, zh) && i < s.size() && s[i++] == ':' && number(2, 2, zm) && i == s.size();
    }
    return false;
}

void check_yaml_text(std::string_view content, const std::shared_ptr<const std::string>& file) {
    int line = 1;
    int column = 1;
    for (size_t i = 0; i < content.size();) {
        uint32_t cp = 0;
        size_t len = utf8_sequence(content, i, cp);
        if (len == 0)
            fail_at(Mark{file, line, column}, "yaml: invalid UTF-8 (byte 0x" +
                                                  hex_byte(static_cast<unsigned char>(content[i])) +
                                                  "): compose files must be UTF-8 text");
        if (!(i == 0 && cp == 0xFEFF) && !yaml_printable(cp))
            fail_at(Mark{file, line, column}, "yaml: control characters are not allowed (" + codepoint_name(cp) + ")");
        if (cp == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
        i += len;
    }
}

std::vector<YamlDocument> parse_yaml(std::string_view content, const std::shared_ptr<const std::string>& file) {
    if (content.size() > kMaxComposeFileBytes)
        fail_at(Mark{file, 0, 0}, "larger than " + std::to_string(kMaxComposeFileBytes >> 20) + " MiB (" +
                                      std::to_string(content.size()) +
                                      " bytes): refusing to read it (compose files are a few kilobytes)");
    check_yaml_text(content, file);

    std::istringstream in{std::string(content)};
    YAML::Parser parser(in);
    Builder builder(file);
    try {
        while (parser.HandleNextDocument(builder)) {
        }
    } catch (const YAML::DeepRecursion& e) {
        // yaml-cpp stops at 500 levels ("bad file"); say what it is.
        fail_at(Mark{file, e.mark.line + 1, e.mark.column + 1},
                "yaml: the document nests mappings and sequences more than " + std::to_string(e.depth()) +
                    " levels deep: refusing it");
    } catch (const YAML::Exception& e) {
        fail_at(Mark{file, e.mark.line + 1, e.mark.column + 1}, "yaml: " + e.msg);
    }
    return std::move(builder.documents);
}

}  // namespace pc::compose
