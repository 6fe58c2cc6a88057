#include "compose/merge.hpp"

#include <algorithm>
#include <functional>
#include <map>

#include "compose/errors.hpp"
#include "compose/short_syntax.hpp"

namespace pc::compose {

namespace {

using Merger = Node (*)(Node, Node, const Path&);

Node merge_mappings(Node base, Node over, const Path& path);

// A mapping as a KEY=VALUE list (sorted, as compose-go sorts it); lists stay; a string is
// a one-item list.
Node to_sequence(const Node& n) {
    Node seq = Node::sequence(n.mark());
    if (n.is_map()) {
        std::vector<Node> items;
        for (const auto& e : n.entries()) {
            if (e.value.is_null()) {
                items.push_back(Node::string(e.key, e.key_mark));
            } else if (e.value.is_seq()) {
                for (const auto& v : e.value.items()) items.push_back(Node::string(e.key + "=" + v.scalar_text(), v.mark()));
            } else {
                items.push_back(Node::string(e.key + "=" + e.value.scalar_text(), e.value.mark()));
            }
        }
        std::stable_sort(items.begin(), items.end(),
                         [](const Node& a, const Node& b) { return a.as_string() < b.as_string(); });
        for (auto& i : items) seq.push_back(std::move(i));
        return seq;
    }
    if (n.is_seq()) return n;
    if (n.is_string()) {
        seq.push_back(n);
        return seq;
    }
    return seq;
}

// A list of names as a mapping NAME -> copy of `value` (null when there is no default).
Node to_mapping(const Node& n, const Node* value) {
    if (n.is_map()) return n;
    Node m = Node::mapping(n.mark());
    if (n.is_seq())
        for (const auto& item : n.items()) {
            if (!item.is_string()) fail_at(item.mark(), "expected a name, got a " + std::string(kind_name(item.kind())));
            m.set(item.as_string(), value ? *value : Node::null(item.mark()), item.mark());
        }
    return m;
}

Node merge_to_sequence(Node base, Node over, const Path& /*path*/) {
    Node out = to_sequence(base);
    Node tail = to_sequence(over);
    for (auto& i : tail.items()) out.push_back(std::move(i));
    return out;
}

Node merge_extra_hosts(Node base, Node over, const Path& /*path*/) {
    Node out = to_sequence(base);
    Node tail = to_sequence(over);
    std::vector<Node> keep;
    for (auto& item : tail.items())
        if (std::find(out.items().begin(), out.items().end(), item) == out.items().end()) keep.push_back(std::move(item));
    for (auto& i : keep) out.push_back(std::move(i));
    return out;
}

Node merge_override(Node /*base*/, Node over, const Path& /*path*/) { return over; }

Node default_dependency(const Mark& mark) {
    Node d = Node::mapping(mark);
    d.set("condition", Node::string("service_started", mark));
    d.set("required", Node::boolean(true, mark));
    return d;
}

Node merge_depends_on(Node base, Node over, const Path& path) {
    Node dflt = default_dependency(base.mark());
    return merge_mappings(to_mapping(base, &dflt), to_mapping(over, &dflt), path);
}

Node merge_name_mappings(Node base, Node over, const Path& path) {
    return merge_mappings(to_mapping(base, nullptr), to_mapping(over, nullptr), path);
}

Node merge_logging(Node base, Node over, const Path& path) {
    if (over.is_null()) return base;
    const Node* d_over = over.find("driver");
    const Node* d_base = base.find("driver");
    if (!d_over || !d_base || *d_over == *d_base) return merge_mappings(std::move(base), std::move(over), path);
    return over;
}

Node as_build(Node n) {
    if (n.is_string()) {
        Node m = Node::mapping(n.mark());
        m.set("context", n);
        return m;
    }
    return n;
}

Node merge_build(Node base, Node over, const Path& path) {
    if (over.is_null()) return as_build(std::move(base));
    return merge_mappings(as_build(std::move(base)), as_build(std::move(over)), path);
}

Node merge_ulimit(Node /*base*/, Node over, const Path& /*path*/) { return over; }

Node merge_ipam_config(Node base, Node over, const Path& path) {
    if (!base.is_seq()) fail_at(base.mark(), path.str() + ": unexpected type " + kind_name(base.kind()));
    if (!over.is_seq()) fail_at(over.mark(), path.str() + ": unexpected type " + kind_name(base.kind()));
    Node pools = Node::sequence(base.mark());
    auto subnet_of = [](const Node& n) -> const Node* { return n.find("subnet"); };
    auto same_subnet = [&](const Node& a, const Node& b) {
        const Node* x = subnet_of(a);
        const Node* y = subnet_of(b);
        return (!x && !y) || (x && y && *x == *y);
    };
    for (const Node& original : base.items()) {
        Node right = to_mapping(original, nullptr);
        for (const Node& o : over.items()) {
            Node left = to_mapping(o, nullptr);
            if (!same_subnet(left, right)) {
                bool known = std::any_of(pools.items().begin(), pools.items().end(),
                                         [&](const Node& p) { return same_subnet(p, left); });
                if (!known) {
                    pools.push_back(left);
                    continue;
                }
            }
            Node merged = merge_mappings(right, left, path);
            auto it = std::find_if(pools.items().begin(), pools.items().end(),
                                   [&](const Node& p) { return same_subnet(p, merged); });
            if (it != pools.items().end()) *it = std::move(merged);
            else pools.push_back(std::move(merged));
        }
    }
    return pools;
}

struct Special {
    PathPattern pattern;
    Merger merge;
};

const Special kSpecials[] = {
    {"networks.*.ipam.config", merge_ipam_config},
    {"networks.*.labels", merge_to_sequence},
    {"volumes.*.labels", merge_to_sequence},
    {"services.*.annotations", merge_to_sequence},
    {"services.*.build", merge_build},
    {"services.*.build.args", merge_to_sequence},
    {"services.*.build.additional_contexts", merge_to_sequence},
    {"services.*.build.extra_hosts", merge_extra_hosts},
    {"services.*.build.labels", merge_to_sequence},
    {"services.*.command", merge_override},
    {"services.*.depends_on", merge_depends_on},
    {"services.*.deploy.labels", merge_to_sequence},
    {"services.*.dns", merge_to_sequence},
    {"services.*.dns_opt", merge_to_sequence},
    {"services.*.dns_search", merge_to_sequence},
    {"services.*.entrypoint", merge_override},
    {"services.*.env_file", merge_to_sequence},
    {"services.*.label_file", merge_to_sequence},
    {"services.*.environment", merge_to_sequence},
    {"services.*.extra_hosts", merge_extra_hosts},
    {"services.*.healthcheck.test", merge_override},
    {"services.*.labels", merge_to_sequence},
    {"services.*.volumes.*.volume.labels", merge_to_sequence},
    {"services.*.logging", merge_logging},
    {"services.*.models", merge_name_mappings},
    {"services.*.networks", merge_name_mappings},
    {"services.*.sysctls", merge_to_sequence},
    {"services.*.tmpfs", merge_to_sequence},
    {"services.*.ulimits.*", merge_ulimit},
};

Node merge_mappings(Node base, Node over, const Path& path) {
    for (auto& e : over.entries()) {
        Node* existing = base.find(e.key);
        if (!existing) {
            base.entries().push_back(std::move(e));
            continue;
        }
        *existing = merge_nodes(std::move(*existing), std::move(e.value), path.next(e.key));
    }
    return base;
}

// ---- unicity -----------------------------------------------------------------------

using Indexer = std::function<std::string(const Node&, const Path&)>;

std::string key_value_index(const Node& n, const Path& path) {
    if (!n.is_string()) fail_at(n.mark(), path.str() + ": unexpected type " + kind_name(n.kind()));
    const std::string& s = n.as_string();
    return s.substr(0, s.find('='));
}

std::string device_index(const Node& n, const Path& path) {
    if (n.is_map()) {
        const std::string* t = n.find_string("target");
        if (!t) fail_at(n.mark(), "service device " + path.str() + " is missing a mount target");
        return *t;
    }
    if (n.is_string()) {
        const std::string& s = n.as_string();
        size_t c = s.find(':');
        if (c == std::string::npos) return s;
        size_t c2 = s.find(':', c + 1);
        return s.substr(c + 1, c2 == std::string::npos ? std::string::npos : c2 - c - 1);
    }
    return "";
}

std::string expose_index(const Node& n, const Path& path) {
    if (n.is_string()) return n.as_string();
    if (n.is_int()) return std::to_string(n.as_int());
    fail_at(n.mark(), path.str() + ": unsupported expose value " + n.scalar_text());
}

Indexer mount_index(const std::string& default_path) {
    return [default_path](const Node& n, const Path& path) -> std::string {
        if (n.is_string()) return default_path + "/" + n.as_string();
        if (n.is_map()) {
            if (const Node* t = n.find("target")) return t->scalar_text();
            const Node* s = n.find("source");
            return default_path + "/" + (s ? s->scalar_text() : "");
        }
        fail_at(n.mark(), path.str() + ": unsupported value " + n.scalar_text());
    };
}

std::string port_index(const Node& n, const Path& path) {
    if (n.is_int()) return std::to_string(n.as_int());
    if (n.is_string()) return n.as_string();
    if (n.is_map()) {
        const Node* target = n.find("target");
        if (!target) fail_at(n.mark(), "service ports " + path.str() + " is missing a target port");
        const Node* published = n.find("published");
        const Node* host = n.find("host_ip");
        const Node* protocol = n.find("protocol");
        return (host ? host->scalar_text() : "0.0.0.0") + ":" + (published ? published->scalar_text() : "<nil>") + ":" +
               target->scalar_text() + "/" + (protocol ? protocol->scalar_text() : "tcp");
    }
    return "";
}

std::string env_file_index(const Node& n, const Path& path) {
    if (n.is_string()) return n.as_string();
    if (n.is_map()) {
        const Node* p = n.find("path");
        if (!p) fail_at(n.mark(), "environment path attribute " + path.str() + " is missing");
        return p->scalar_text();
    }
    return "";
}

struct Unique {
    PathPattern pattern;
    Indexer index;
};

const std::vector<Unique>& unique_rules() {
    static const std::vector<Unique> rules = {
        {"networks.*.labels", key_value_index},
        {"networks.*.ipam.options", key_value_index},
        {"services.*.annotations", key_value_index},
        {"services.*.build.args", key_value_index},
        {"services.*.build.additional_contexts", key_value_index},
        {"services.*.build.platform", key_value_index},
        {"services.*.build.tags", key_value_index},
        {"services.*.build.labels", key_value_index},
        {"services.*.cap_add", key_value_index},
        {"services.*.cap_drop", key_value_index},
        {"services.*.configs", mount_index("")},
        {"services.*.deploy.labels", key_value_index},
        {"services.*.dns", key_value_index},
        {"services.*.dns_opt", key_value_index},
        {"services.*.dns_search", key_value_index},
        {"services.*.environment", key_value_index},
        {"services.*.env_file", env_file_index},
        {"services.*.expose", expose_index},
        {"services.*.labels", key_value_index},
        {"services.*.links", key_value_index},
        {"services.*.networks.*.aliases", key_value_index},
        {"services.*.networks.*.link_local_ips", key_value_index},
        {"services.*.ports", port_index},
        {"services.*.profiles", key_value_index},
        {"services.*.secrets", mount_index("/run/secrets")},
        {"services.*.sysctls", key_value_index},
        {"services.*.tmpfs", key_value_index},
        {"services.*.volumes", volume_target_key},
        {"services.*.devices", device_index},
    };
    return rules;
}

void unicity(Node& n, const Path& path) {
    if (n.is_map()) {
        for (auto& e : n.entries()) unicity(e.value, path.next(e.key));
        return;
    }
    if (!n.is_seq()) return;
    for (const auto& rule : unique_rules()) {
        if (!path.matches(rule.pattern)) continue;
        std::vector<Node> seq;
        std::map<std::string, size_t> seen;
        for (size_t i = 0; i < n.items().size(); ++i) {
            Node& entry = n.items()[i];
            std::string key = rule.index(entry, path.item(i));
            if (auto it = seen.find(key); it != seen.end()) {
                seq[it->second] = std::move(entry);
            } else {
                seen.emplace(key, seq.size());
                seq.push_back(std::move(entry));
            }
        }
        n.items() = std::move(seq);
        return;
    }
}

void erase_path(Node& n, const Path& path, size_t i) {
    if (!n.is_map() || path.is_item(i)) return;
    if (i + 1 == path.size()) {
        n.erase(path[i]);
        return;
    }
    if (Node* child = n.find(path[i])) erase_path(*child, path, i + 1);
}

}  // namespace

Node merge_nodes(Node base, Node over, const Path& path) {
    for (const auto& s : kSpecials)
        if (path.matches(s.pattern)) return s.merge(std::move(base), std::move(over), path);
    if (over.is_null()) return base;
    if (base.is_map()) {
        if (!over.is_map()) fail_at(over.mark(), "cannot override " + path.str());
        return merge_mappings(std::move(base), std::move(over), path);
    }
    if (base.is_seq()) {
        if (!over.is_seq()) fail_at(over.mark(), "cannot override " + path.str());
        for (auto& i : over.items()) base.push_back(std::move(i));
        return base;
    }
    return over;
}

void enforce_unicity(Node& model) { unicity(model, Path{}); }

void apply_resets(Node& model, const std::vector<Path>& paths) {
    for (const auto& p : paths)
        if (!p.empty()) erase_path(model, p, 0);
}

std::string volume_target_key(const Node& volume, const Path& path) {
    if (volume.is_map()) {
        const Node* t = volume.find("target");
        if (!t || !t->is_string()) fail_at(volume.mark(), "service volume " + path.str() + " is missing a mount target");
        return t->as_string();
    }
    if (volume.is_string()) {
        try {
            Node v = parse_volume_spec(volume.as_string(), volume.mark());
            const std::string* t = v.find_string("target");
            return t ? *t : "";
        } catch (const std::exception& e) {
            fail_at(volume.mark(), path.str() + ": " + e.what());
        }
    }
    return "";
}

}  // namespace pc::compose
