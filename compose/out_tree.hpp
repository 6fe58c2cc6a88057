// What `config` prints, before it is text: scalars, lists and mappings, where a mapping is
// either a Go struct (fields in declaration order) or a Go map (keys sorted when printed:
// go-yaml's natural order for YAML, byte order for JSON). The YAML and JSON writers turn
// it into exactly the text Go's encoders (gopkg.in/yaml.v3, encoding/json) produce.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace pc::compose {

struct Out {
    enum class Kind : uint8_t { Null, Bool, Int, Float, String, Seq, Map };

    // Out of line (out_tree.cpp), for the same reason as Node's.
    Out();
    ~Out();
    Out(const Out&);
    Out(Out&&) noexcept;
    Out& operator=(const Out&);
    Out& operator=(Out&&) noexcept;

    Kind kind = Kind::Null;
    bool b = false;
    int64_t i = 0;
    double f = 0;
    int float_bits = 64;
    std::string s;
    std::vector<Out> items;
    std::vector<std::pair<std::string, Out>> fields;
    bool sorted = false;  // a Go map: keys are sorted when written

    static Out null() { return Out{}; }
    static Out boolean(bool v) {
        Out o;
        o.kind = Kind::Bool;
        o.b = v;
        return o;
    }
    static Out integer(int64_t v) {
        Out o;
        o.kind = Kind::Int;
        o.i = v;
        return o;
    }
    static Out floating(double v, int bits) {
        Out o;
        o.kind = Kind::Float;
        o.f = v;
        o.float_bits = bits;
        return o;
    }
    static Out string(std::string v) {
        Out o;
        o.kind = Kind::String;
        o.s = std::move(v);
        return o;
    }
    static Out seq() {
        Out o;
        o.kind = Kind::Seq;
        return o;
    }
    static Out map(bool go_map) {
        Out o;
        o.kind = Kind::Map;
        o.sorted = go_map;
        return o;
    }
    void add(std::string key, Out value);
};

// go-yaml v3's Encoder with SetIndent(2): block style, natural key order, its quoting.
std::string write_yaml(const Out& root);
// encoding/json: MarshalIndent(v, "", "  ") when `indent`, else Marshal (compact).
std::string write_json(const Out& root, bool indent);

// go-yaml's ordering of map keys (numbers inside keys compared as numbers, letters
// before other characters).
bool yaml_key_less(const std::string& a, const std::string& b);

}  // namespace pc::compose
