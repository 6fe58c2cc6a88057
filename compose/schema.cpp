#include "compose/schema.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "compose/errors.hpp"
#include "compose/go_format.hpp"
#include "compose/mini_regex.hpp"

namespace pc::compose {

namespace {

using nlohmann::json;

enum TypeBit : uint8_t {
    kNull = 1,
    kBoolean = 2,
    kObject = 4,
    kArray = 8,
    kNumber = 16,
    kString = 32,
    kInteger = 64,
};

struct Schema {
    bool accept_all = false;  // `{}` / true
    bool reject_all = false;  // false
    uint8_t types = 0;
    std::vector<std::string> type_names;
    std::optional<std::vector<json>> enum_values;
    std::string ref;
    const Schema* ref_target = nullptr;
    std::vector<std::pair<std::string, const Schema*>> properties;
    std::vector<std::pair<MiniRegex, const Schema*>> pattern_properties;
    std::optional<bool> additional_bool;
    const Schema* additional_schema = nullptr;
    std::vector<std::string> required;
    const Schema* items = nullptr;
    bool unique_items = false;
    std::optional<double> minimum, maximum;
    std::optional<MiniRegex> pattern;
    std::string pattern_text;
    std::vector<const Schema*> one_of;
};

class CompiledSchema {
public:
    CompiledSchema() {
        json doc = json::parse(compose_spec_schema_text());
        root_ = compile(doc);
        for (auto& [name, def] : doc.at("$defs").items()) defs_[name] = compile(def);
        for (auto& s : store_)
            if (!s.ref.empty()) {
                const std::string prefix = "#/$defs/";
                auto it = defs_.find(s.ref.substr(prefix.size()));
                if (s.ref.rfind(prefix, 0) != 0 || it == defs_.end())
                    throw std::logic_error("compose schema: unresolved $ref " + s.ref);
                s.ref_target = it->second;
            }
    }
    const Schema* root() const { return root_; }

private:
    const Schema* compile(const json& j) {
        store_.emplace_back();
        Schema& s = store_.back();
        if (j.is_boolean()) {
            (j.get<bool>() ? s.accept_all : s.reject_all) = true;
            return &s;
        }
        if (j.empty()) s.accept_all = true;
        if (auto t = j.find("type"); t != j.end()) {
            auto add = [&](const std::string& name) {
                s.type_names.push_back(name);
                if (name == "null") s.types |= kNull;
                else if (name == "boolean") s.types |= kBoolean;
                else if (name == "object") s.types |= kObject;
                else if (name == "array") s.types |= kArray;
                else if (name == "number") s.types |= kNumber;
                else if (name == "string") s.types |= kString;
                else if (name == "integer") s.types |= kInteger;
            };
            if (t->is_array())
                for (const auto& n : *t) add(n.get<std::string>());
            else
                add(t->get<std::string>());
        }
        if (auto e = j.find("enum"); e != j.end()) s.enum_values = e->get<std::vector<json>>();
        if (auto r = j.find("$ref"); r != j.end()) s.ref = r->get<std::string>();
        if (auto p = j.find("properties"); p != j.end())
            for (auto& [k, v] : p->items()) s.properties.emplace_back(k, compile(v));
        if (auto p = j.find("patternProperties"); p != j.end())
            for (auto& [k, v] : p->items()) s.pattern_properties.emplace_back(MiniRegex(k), compile(v));
        if (auto a = j.find("additionalProperties"); a != j.end()) {
            if (a->is_boolean()) s.additional_bool = a->get<bool>();
            else s.additional_schema = compile(*a);
        }
        if (auto r = j.find("required"); r != j.end()) s.required = r->get<std::vector<std::string>>();
        if (auto i = j.find("items"); i != j.end()) s.items = compile(*i);
        if (auto u = j.find("uniqueItems"); u != j.end()) s.unique_items = u->get<bool>();
        if (auto m = j.find("minimum"); m != j.end()) s.minimum = m->get<double>();
        if (auto m = j.find("maximum"); m != j.end()) s.maximum = m->get<double>();
        if (auto p = j.find("pattern"); p != j.end()) {
            s.pattern_text = p->get<std::string>();
            s.pattern.emplace(s.pattern_text);
        }
        if (auto o = j.find("oneOf"); o != j.end())
            for (const auto& sub : *o) s.one_of.push_back(compile(sub));
        return &s;
    }

    std::deque<Schema> store_;
    std::map<std::string, const Schema*> defs_;
    const Schema* root_ = nullptr;
};

const CompiledSchema& compiled() {
    static const CompiledSchema schema;
    return schema;
}

// A failed check that has no sub-errors (santhosh-tekuri/jsonschema's leaf errors).
struct Leaf {
    Path path;
    Mark mark;
    std::string message;  // after the path
    size_t specificity = 0;
};

// santhosh-tekuri's quote(): Go %q with ' as the quote.
std::string quote(const std::string& s) {
    std::string out = "'";
    for (unsigned char c : s) {
        switch (c) {
        case '\'': out += "\\'"; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        case '\r': out += "\\r"; break;
        default:
            if (c < 0x20 || c == 0x7f) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\x%02x", c);
                out += buf;
            } else {
                out.push_back(static_cast<char>(c));
            }
        }
    }
    return out + "'";
}

std::string display(const json& v) {
    if (v.is_string()) return quote(v.get<std::string>());
    if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
    if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
    if (v.is_number()) return go_format_float(v.get<double>(), 'g', 64);
    if (v.is_null()) return "<nil>";
    return "value";
}

std::string human_type(const std::vector<std::string>& want) {
    auto name = [](const std::string& t) { return t == "object" ? std::string("mapping") : t; };
    if (want.size() == 1) return name(want[0]);
    std::vector<std::string> names;
    for (const auto& w : want) names.push_back(name(w));
    std::sort(names.begin(), names.end());
    std::string out;
    for (size_t i = 0; i + 1 < names.size(); ++i) out += (i ? ", " : "") + names[i];
    return out + " or " + names.back();
}

uint8_t type_of(const Node& n) {
    switch (n.kind()) {
    case Node::Kind::Null: return kNull;
    case Node::Kind::Bool: return kBoolean;
    case Node::Kind::Int: return kInteger | kNumber;
    case Node::Kind::Float: {
        double f = n.as_float();
        return std::isfinite(f) && std::floor(f) == f ? kInteger | kNumber : kNumber;
    }
    case Node::Kind::String: return kString;
    case Node::Kind::Seq: return kArray;
    case Node::Kind::Map: return kObject;
    }
    return 0;
}

bool equals_json(const Node& n, const json& v) {
    if (v.is_string()) return n.is_string() && n.as_string() == v.get<std::string>();
    if (v.is_boolean()) return n.is_bool() && n.as_bool() == v.get<bool>();
    if (v.is_null()) return n.is_null();
    if (v.is_number()) return n.is_number() && n.as_float() == v.get<double>();
    return false;
}

// A text equal for equal JSON values (numbers by value, mappings whatever their order).
std::string canonical_key(const Node& n) {
    switch (n.kind()) {
    case Node::Kind::Null: return "n";
    case Node::Kind::Bool: return n.as_bool() ? "t" : "f";
    case Node::Kind::Int:
    case Node::Kind::Float: return "#" + go_format_float(n.as_float(), 'g', 64);
    case Node::Kind::String: return "s" + std::to_string(n.as_string().size()) + ":" + n.as_string();
    case Node::Kind::Seq: {
        std::string out = "[";
        for (const auto& i : n.items()) out += canonical_key(i) + ",";
        return out + "]";
    }
    case Node::Kind::Map: {
        std::vector<std::string> parts;
        for (const auto& e : n.entries())
            parts.push_back(std::to_string(e.key.size()) + ":" + e.key + "=" + canonical_key(e.value));
        std::sort(parts.begin(), parts.end());
        std::string out = "{";
        for (const auto& p : parts) out += p + ",";
        return out + "}";
    }
    }
    return "";
}

class Validator {
public:
    std::vector<Leaf> leaves;

    void validate(const Schema& s, const Node& n, const Path& path) {
        if (s.accept_all) return;
        if (s.reject_all) {
            leaf(path, n.mark(), "false schema", 0);
            return;
        }
        if (s.types != 0) {
            uint8_t t = type_of(n);
            if ((s.types & t) == 0) {
                leaf(path, n.mark(), "must be a " + human_type(s.type_names), 0, true);
                return;
            }
        }
        if (s.enum_values) {
            bool found = std::any_of(s.enum_values->begin(), s.enum_values->end(),
                                     [&](const json& v) { return equals_json(n, v); });
            if (!found) {
                std::string want;
                for (const auto& v : *s.enum_values) want += (want.empty() ? "" : ", ") + display(v);
                leaf(path, n.mark(),
                     s.enum_values->size() == 1 ? "value must be " + want : "value must be one of " + want, 0);
                return;
            }
        }
        if (s.ref_target) validate(*s.ref_target, n, path);
        if (n.is_map()) validate_object(s, n, path);
        if (n.is_seq()) validate_array(s, n, path);
        if (n.is_string() && s.pattern && !s.pattern->search(n.as_string()))
            leaf(path, n.mark(), quote(n.as_string()) + " does not match pattern " + quote(s.pattern_text), 0);
        if (n.is_number()) {
            if (s.minimum && n.as_float() < *s.minimum)
                leaf(path, n.mark(), "must be greater than or equal to " + go_format_float(*s.minimum, 'g', 64), 0);
            if (s.maximum && n.as_float() > *s.maximum)
                leaf(path, n.mark(), "must be less than or equal to " + go_format_float(*s.maximum, 'g', 64), 0);
        }
        if (!s.one_of.empty()) validate_one_of(s, n, path);
    }

private:
    // Deeper is more specific; at the same depth, a value of the right type that breaks a
    // rule (`items at 0 and 1 are equal`) says more than `must be a mapping` from another
    // branch of a oneOf.
    void leaf(const Path& path, const Mark& mark, std::string message, size_t extra, bool type_mismatch = false) {
        leaves.push_back(Leaf{path, mark, std::move(message), (path.size() + extra) * 2 + (type_mismatch ? 0 : 1)});
    }

    void validate_object(const Schema& s, const Node& n, const Path& path) {
        std::vector<std::string> missing;
        for (const auto& r : s.required)
            if (!n.has(r)) missing.push_back(r);
        if (!missing.empty()) {
            std::string list;
            for (const auto& m : missing) list += (list.empty() ? "" : ", ") + quote(m);
            leaf(path, n.mark(), (missing.size() == 1 ? "missing property " : "missing properties ") + list, 0);
        }
        std::vector<const MapEntry*> extra;
        for (const auto& e : n.entries()) {
            bool evaluated = false;
            for (const auto& [name, sub] : s.properties)
                if (name == e.key) {
                    evaluated = true;
                    validate(*sub, e.value, path.next(e.key));
                }
            for (const auto& [re, sub] : s.pattern_properties)
                if (re.search(e.key)) {
                    evaluated = true;
                    validate(*sub, e.value, path.next(e.key));
                }
            if (!evaluated) {
                if (s.additional_bool && !*s.additional_bool) extra.push_back(&e);
                else if (s.additional_schema) validate(*s.additional_schema, e.value, path.next(e.key));
            }
        }
        if (!extra.empty()) {
            std::string list;
            for (const auto* e : extra) list += (list.empty() ? "" : ", ") + quote(e->key);
            leaf(path, extra.front()->key_mark, "additional properties " + list + " not allowed", 1);
        }
    }

    void validate_array(const Schema& s, const Node& n, const Path& path) {
        if (s.items)
            for (size_t i = 0; i < n.items().size(); ++i) validate(*s.items, n.items()[i], path.item(i));
        if (s.unique_items) {
            std::map<std::string, size_t> seen;
            const auto& items = n.items();
            for (size_t j = 0; j < items.size(); ++j) {
                auto [it, inserted] = seen.emplace(canonical_key(items[j]), j);
                if (!inserted) {
                    leaf(path, items[j].mark(),
                         "items at " + std::to_string(it->second) + " and " + std::to_string(j) + " are equal", 0);
                    return;
                }
            }
        }
    }

    void validate_one_of(const Schema& s, const Node& n, const Path& path) {
        std::vector<Leaf> failures;
        int matched = -1;
        for (size_t i = 0; i < s.one_of.size(); ++i) {
            Validator sub;
            sub.validate(*s.one_of[i], n, path);
            if (sub.leaves.empty()) {
                if (matched >= 0) {
                    leaf(path, n.mark(),
                         "oneOf failed, subschemas " + std::to_string(matched) + ", " + std::to_string(i) + " matched", 0);
                    return;
                }
                matched = static_cast<int>(i);
            } else if (matched < 0) {
                failures.insert(failures.end(), sub.leaves.begin(), sub.leaves.end());
            }
        }
        if (matched < 0) leaves.insert(leaves.end(), failures.begin(), failures.end());
    }
};

}  // namespace

void validate_schema(const Node& model) {
    Validator v;
    v.validate(*compiled().root(), model, Path{});
    if (v.leaves.empty()) return;
    const Leaf* best = &v.leaves.front();
    for (const auto& l : v.leaves)
        if (l.specificity > best->specificity) best = &l;
    std::string where = best->path.empty() ? "(root)" : best->path.str();
    fail_at(best->mark, where + " " + best->message);
}

}  // namespace pc::compose
