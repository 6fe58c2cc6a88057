// The loader's document tree: what a compose file is between parsing and the typed model.
// Every stage (interpolation, merging, include/extends, canonical forms, validation,
// normalization) works on it, as compose-go's stages work on map[string]any; unlike that,
// every node remembers where it came from (file, line, column), so an error anywhere names
// the place in the user's file.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pc::compose {

// Where a node came from. `file` is shared by all nodes of one file; line and column
// count from 1 (0: unknown, e.g. a default the loader added).
struct Mark {
    std::shared_ptr<const std::string> file;
    int line = 0;
    int column = 0;

    bool known() const { return file != nullptr && line > 0; }
    // "/abs/compose.yaml:12:5" (or just the file, or "" when unknown).
    std::string where() const;
};

class Node;

struct MapEntry;

class Node {
public:
    enum class Kind : uint8_t { Null, Bool, Int, Float, String, Seq, Map };

    // Out of line (node.cpp), where MapEntry is complete: clang's C++20 std::vector would
    // otherwise instantiate vector<MapEntry> while MapEntry is still incomplete.
    Node();
    ~Node();
    Node(const Node&);
    Node(Node&&) noexcept;
    Node& operator=(const Node&);
    Node& operator=(Node&&) noexcept;

    static Node null(Mark mark = {});
    static Node boolean(bool v, Mark mark = {});
    static Node integer(int64_t v, Mark mark = {});
    static Node floating(double v, Mark mark = {});
    static Node string(std::string v, Mark mark = {});
    static Node sequence(Mark mark = {});
    static Node mapping(Mark mark = {});

    Kind kind() const { return kind_; }
    bool is_null() const { return kind_ == Kind::Null; }
    bool is_bool() const { return kind_ == Kind::Bool; }
    bool is_int() const { return kind_ == Kind::Int; }
    bool is_float() const { return kind_ == Kind::Float; }
    bool is_number() const { return kind_ == Kind::Int || kind_ == Kind::Float; }
    bool is_string() const { return kind_ == Kind::String; }
    bool is_scalar() const { return kind_ != Kind::Seq && kind_ != Kind::Map; }
    bool is_seq() const { return kind_ == Kind::Seq; }
    bool is_map() const { return kind_ == Kind::Map; }

    bool as_bool() const { return bool_; }
    int64_t as_int() const { return int_; }
    double as_float() const { return kind_ == Kind::Int ? static_cast<double>(int_) : float_; }
    const std::string& as_string() const { return str_; }
    std::string& as_string() { return str_; }

    // Go's fmt.Sprint of the decoded value: what compose-go makes of a scalar where a
    // string is expected ("80", "true", "1.5", "" for null).
    std::string scalar_text() const;

    const std::vector<Node>& items() const { return seq_; }
    std::vector<Node>& items() { return seq_; }
    const std::vector<MapEntry>& entries() const { return map_; }
    std::vector<MapEntry>& entries() { return map_; }
    size_t size() const;

    // Map access (linear: compose maps are small).
    const Node* find(std::string_view key) const;
    Node* find(std::string_view key);
    const MapEntry* find_entry(std::string_view key) const;
    MapEntry* find_entry(std::string_view key);
    bool has(std::string_view key) const { return find(key) != nullptr; }
    // Sets (replacing in place, or appending) and returns the stored node.
    Node& set(std::string key, Node value, Mark key_mark = {});
    bool erase(std::string_view key);
    // The string at `key`, or nullptr when absent or not a string.
    const std::string* find_string(std::string_view key) const;

    void push_back(Node n) { seq_.push_back(std::move(n)); }

    const Mark& mark() const { return mark_; }
    void set_mark(Mark m) { mark_ = std::move(m); }

    // Structural equality (marks ignored).
    bool operator==(const Node& other) const;
    bool operator!=(const Node& other) const { return !(*this == other); }

    // Node count of this subtree (for bounding work on hostile input).
    size_t weight() const;

private:
    Kind kind_ = Kind::Null;
    bool bool_ = false;
    int64_t int_ = 0;
    double float_ = 0;
    std::string str_;
    std::vector<Node> seq_;
    std::vector<MapEntry> map_;
    Mark mark_;
};

struct MapEntry {
    std::string key;
    Mark key_mark;
    Node value;
};

const char* kind_name(Node::Kind kind);

// A pattern over paths: dot-separated segments, "*" for any one segment, "[]" for any list
// item ("services.*.ports.*"). Split once: the loader matches every node of the tree
// against tables of these.
class PathPattern {
public:
    PathPattern(const char* pattern);  // NOLINT(google-explicit-constructor): tables of literals

private:
    friend class Path;
    enum class Kind : uint8_t { Any, Item, Name };
    struct Segment {
        Kind kind;
        std::string name;
    };
    std::vector<Segment> segments_;
};

// A path in the tree, as compose-go's tree.Path: segments, where a list item is "[]"
// for pattern matching. Patterns use "*" for any one segment.
class Path {
public:
    Path() = default;
    Path(std::initializer_list<std::string> parts) {
        for (const auto& p : parts) *this = next(p);
    }

    // Child paths share their parent's segments: the loader makes one for every node of
    // the tree in each of its passes.
    Path next(std::string part) const;
    // Next segment for list item `index`: matches "[]" patterns, shows as "[index]".
    Path item(size_t index) const;
    size_t size() const { return last_ ? last_->depth : 0; }
    bool empty() const { return !last_; }
    // A map key, or the decimal index of a list item.
    const std::string& operator[](size_t i) const { return at(i).name; }
    bool is_item(size_t i) const { return at(i).item; }
    const std::string& last() const { return last_->name; }

    // True when the pattern (dot-separated, "*" any segment) has as many segments and
    // each matches; list items match "*" and "[]".
    bool matches(const PathPattern& pattern) const;
    bool matches(const char* pattern) const { return matches(PathPattern(pattern)); }
    // "services.web.ports[0]"
    std::string str() const;

private:
    struct Segment {
        std::shared_ptr<const Segment> parent;
        std::string name;
        bool item;  // a list item (name is its index)
        size_t depth;
    };
    const Segment& at(size_t i) const;
    Path with(std::string name, bool item) const;
    std::shared_ptr<const Segment> last_;
};

}  // namespace pc::compose
