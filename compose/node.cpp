#include "compose/node.hpp"

#include <algorithm>

#include "compose/go_format.hpp"

namespace pc::compose {

std::string Mark::where() const {
    if (!file) return "";
    if (line <= 0) return *file;
    return *file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

Node::Node() = default;
Node::~Node() = default;
Node::Node(const Node&) = default;
Node::Node(Node&&) noexcept = default;
Node& Node::operator=(const Node&) = default;
Node& Node::operator=(Node&&) noexcept = default;

Node Node::null(Mark mark) {
    Node n;
    n.mark_ = std::move(mark);
    return n;
}

Node Node::boolean(bool v, Mark mark) {
    Node n;
    n.kind_ = Kind::Bool;
    n.bool_ = v;
    n.mark_ = std::move(mark);
    return n;
}

Node Node::integer(int64_t v, Mark mark) {
    Node n;
    n.kind_ = Kind::Int;
    n.int_ = v;
    n.mark_ = std::move(mark);
    return n;
}

Node Node::floating(double v, Mark mark) {
    Node n;
    n.kind_ = Kind::Float;
    n.float_ = v;
    n.mark_ = std::move(mark);
    return n;
}

Node Node::string(std::string v, Mark mark) {
    Node n;
    n.kind_ = Kind::String;
    n.str_ = std::move(v);
    n.mark_ = std::move(mark);
    return n;
}

Node Node::sequence(Mark mark) {
    Node n;
    n.kind_ = Kind::Seq;
    n.mark_ = std::move(mark);
    return n;
}

Node Node::mapping(Mark mark) {
    Node n;
    n.kind_ = Kind::Map;
    n.mark_ = std::move(mark);
    return n;
}

std::string Node::scalar_text() const {
    switch (kind_) {
    case Kind::Null: return "";
    case Kind::Bool: return bool_ ? "true" : "false";
    case Kind::Int: return std::to_string(int_);
    case Kind::Float: return go_format_float(float_, 'g', 64);
    case Kind::String: return str_;
    case Kind::Seq:
    case Kind::Map: break;
    }
    return "";
}

size_t Node::size() const {
    if (kind_ == Kind::Seq) return seq_.size();
    if (kind_ == Kind::Map) return map_.size();
    return 0;
}

const MapEntry* Node::find_entry(std::string_view key) const {
    for (const auto& e : map_)
        if (e.key == key) return &e;
    return nullptr;
}

MapEntry* Node::find_entry(std::string_view key) {
    for (auto& e : map_)
        if (e.key == key) return &e;
    return nullptr;
}

const Node* Node::find(std::string_view key) const {
    const MapEntry* e = find_entry(key);
    return e ? &e->value : nullptr;
}

Node* Node::find(std::string_view key) {
    MapEntry* e = find_entry(key);
    return e ? &e->value : nullptr;
}

const std::string* Node::find_string(std::string_view key) const {
    const Node* n = find(key);
    return n && n->is_string() ? &n->str_ : nullptr;
}

Node& Node::set(std::string key, Node value, Mark key_mark) {
    if (MapEntry* e = find_entry(key)) {
        e->value = std::move(value);
        return e->value;
    }
    if (!key_mark.file) key_mark = value.mark();
    map_.push_back(MapEntry{std::move(key), std::move(key_mark), std::move(value)});
    return map_.back().value;
}

bool Node::erase(std::string_view key) {
    auto it = std::find_if(map_.begin(), map_.end(), [&](const MapEntry& e) { return e.key == key; });
    if (it == map_.end()) return false;
    map_.erase(it);
    return true;
}

bool Node::operator==(const Node& other) const {
    if (kind_ != other.kind_) {
        // An int and a float of the same value are the same number.
        if (is_number() && other.is_number()) return as_float() == other.as_float();
        return false;
    }
    switch (kind_) {
    case Kind::Null: return true;
    case Kind::Bool: return bool_ == other.bool_;
    case Kind::Int: return int_ == other.int_;
    case Kind::Float: return float_ == other.float_;
    case Kind::String: return str_ == other.str_;
    case Kind::Seq: return seq_ == other.seq_;
    case Kind::Map:
        if (map_.size() != other.map_.size()) return false;
        for (const auto& e : map_) {
            const Node* o = other.find(e.key);
            if (!o || *o != e.value) return false;
        }
        return true;
    }
    return false;
}

size_t Node::weight() const {
    size_t n = 1;
    for (const auto& i : seq_) n += i.weight();
    for (const auto& e : map_) n += e.value.weight();
    return n;
}

const char* kind_name(Node::Kind kind) {
    switch (kind) {
    case Node::Kind::Null: return "null";
    case Node::Kind::Bool: return "boolean";
    case Node::Kind::Int: return "integer";
    case Node::Kind::Float: return "number";
    case Node::Kind::String: return "string";
    case Node::Kind::Seq: return "array";
    case Node::Kind::Map: return "mapping";
    }
    return "value";
}

Path Path::with(std::string name, bool item) const {
    Path p;
    p.last_ = std::make_shared<const Segment>(Segment{last_, std::move(name), item, size() + 1});
    return p;
}

const Path::Segment& Path::at(size_t i) const {
    const Segment* s = last_.get();
    for (size_t k = size() - 1; k > i; --k) s = s->parent.get();
    return *s;
}

Path Path::next(std::string part) const { return with(std::move(part), false); }

Path Path::item(size_t index) const { return with(std::to_string(index), true); }

PathPattern::PathPattern(const char* pattern) {
    std::string_view rest(pattern);
    while (true) {
        size_t dot = rest.find('.');
        std::string_view seg = rest.substr(0, dot);
        Kind kind = seg == "*" ? Kind::Any : seg == "[]" ? Kind::Item : Kind::Name;
        segments_.push_back(Segment{kind, std::string(seg)});
        if (dot == std::string_view::npos) break;
        rest.remove_prefix(dot + 1);
    }
}

bool Path::matches(const PathPattern& pattern) const {
    if (pattern.segments_.size() != size()) return false;
    // From the last segment, the one that differs most often.
    size_t i = size();
    for (const Segment* have = last_.get(); have; have = have->parent.get()) {
        const auto& want = pattern.segments_[--i];
        switch (want.kind) {
            case PathPattern::Kind::Any: break;
            case PathPattern::Kind::Item:
                if (!have->item) return false;
                break;
            case PathPattern::Kind::Name:
                if (have->item || have->name != want.name) return false;
                break;
        }
    }
    return true;
}

std::string Path::str() const {
    std::vector<const Segment*> segments;
    for (const Segment* s = last_.get(); s; s = s->parent.get()) segments.push_back(s);
    std::string out;
    for (auto it = segments.rbegin(); it != segments.rend(); ++it) {
        const Segment& s = **it;
        if (s.item) {
            out += "[" + s.name + "]";
        } else {
            if (!out.empty()) out.push_back('.');
            out += s.name;
        }
    }
    return out;
}

}  // namespace pc::compose
