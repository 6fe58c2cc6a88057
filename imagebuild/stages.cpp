#include "imagebuild/stages.hpp"

#include <algorithm>

#include "common/error.hpp"
#include "common/strings.hpp"
#include "imagebuild/platform_args.hpp"
#include "imagebuild/shell_lex.hpp"

namespace pc::build {

namespace {

[[noreturn]] void fail(const Instruction& ins, const std::string& message) { throw Error(ins.where() + ": " + message); }

// The ARG names (and defaults, raw) of one ARG instruction.
std::vector<std::pair<std::string, std::optional<std::string>>> arg_decls(const Instruction& ins) {
    std::vector<std::pair<std::string, std::optional<std::string>>> out;
    for (const auto& w : split_raw_words(ins.args, '\\')) {
        auto [k, v] = str::split_once(w, '=');
        out.emplace_back(k, v);
    }
    if (out.empty()) fail(ins, "ARG requires at least one argument");
    return out;
}

}  // namespace

std::string mount_from(const std::string& spec) {
    for (const auto& field : str::split(spec, ',')) {
        auto [k, v] = str::split_once(field, '=');
        if (str::to_lower(str::trim(k)) == "from" && v) return str::trim(*v);
    }
    return "";
}

std::optional<size_t> find_stage(const StagePlan& plan, const std::string& ref, size_t before) {
    if (ref.empty()) return std::nullopt;
    const std::string lower = str::to_lower(ref);
    for (size_t i = 0; i < before && i < plan.stages.size(); ++i)
        if (!plan.stages[i].name.empty() && plan.stages[i].name == lower) return i;
    if (auto n = str::parse_u64(ref); n && *n < before && *n < plan.stages.size()) return static_cast<size_t>(*n);
    return std::nullopt;
}

StagePlan plan_stages(const Dockerfile& df, const std::string& target,
                      const std::map<std::string, std::string>& build_args) {
    StagePlan plan;
    if (df.instructions.empty()) throw Error(df.file + ": no instructions: the file is empty (no stages to build)");
    // Meta ARGs (before the first FROM) are what FROM lines are expanded with.
    std::map<std::string, std::string> meta = platform_arg_values();
    size_t i = 0;
    for (; i < df.instructions.size() && df.instructions[i].keyword != "FROM"; ++i) {
        const Instruction& ins = df.instructions[i];
        if (ins.keyword != "ARG")
            fail(ins, ins.keyword + " before the first FROM: only ARG may precede it (did you forget \"FROM image\"?)");
        plan.meta_args.push_back(ins);
        ShellLex lex(df.escape);
        for (const auto& [name, def] : arg_decls(ins)) {
            plan.declared_args.insert(name);
            auto given = build_args.find(name);
            VarLookup look = [&](const std::string& n) -> std::optional<std::string> {
                auto it = meta.find(n);
                if (it == meta.end()) return std::nullopt;
                return it->second;
            };
            if (given != build_args.end()) meta[name] = given->second;
            else if (def) meta[name] = lex.process_word(*def, look);
            else if (!meta.count(name)) meta[name] = "";
        }
    }
    if (i == df.instructions.size()) throw Error(df.file + ": no FROM instruction: no stages to build");

    VarLookup meta_lookup = [&](const std::string& n) -> std::optional<std::string> {
        auto it = meta.find(n);
        if (it == meta.end()) return std::nullopt;
        return it->second;
    };
    ShellLex lex(df.escape);
    for (; i < df.instructions.size(); ++i) {
        const Instruction& ins = df.instructions[i];
        if (ins.keyword == "FROM") {
            Stage st;
            st.index = plan.stages.size();
            st.from = ins;
            auto words = split_raw_words(ins.args, df.escape);
            if (words.size() != 1 && !(words.size() == 3 && str::to_lower(words[1]) == "as"))
                fail(ins, "FROM requires either one or three arguments (FROM image [AS name]), got \"" + ins.args + "\"");
            try {
                st.base = lex.process_word(words[0], meta_lookup);
                if (auto p = ins.flag("platform")) st.platform = lex.process_word(*p, meta_lookup);
            } catch (const Error& e) {
                fail(ins, e.what());
            }
            if (st.base.empty()) fail(ins, "FROM \"" + words[0] + "\" expands to an empty image name");
            if (words.size() == 3) {
                st.name = str::to_lower(words[2]);
                if (!std::all_of(st.name.begin(), st.name.end(), [](unsigned char c) {
                        return std::isalnum(c) || c == '-' || c == '_' || c == '.';
                    }) || !std::isalpha(static_cast<unsigned char>(st.name[0])))
                    fail(ins, "invalid name for build stage: \"" + words[2] + "\", name can't start with a number or contain symbols");
                for (const auto& other : plan.stages)
                    if (other.name == st.name) fail(ins, "duplicate name for build stage \"" + words[2] + "\" (also at " + other.from.where() + ")");
            }
            plan.stages.push_back(std::move(st));
            continue;
        }
        Stage& st = plan.stages.back();
        if (ins.keyword == "ARG")
            for (const auto& d : arg_decls(ins)) plan.declared_args.insert(d.first);
        st.steps.push_back(ins);
    }

    // Dependencies: FROM <stage>, COPY/ADD --from=<stage|index>, RUN --mount from=<stage>.
    for (auto& st : plan.stages) {
        if (auto dep = find_stage(plan, st.base, st.index)) st.needs.insert(*dep);
        for (const auto& ins : st.steps) {
            std::vector<std::string> refs;
            if ((ins.keyword == "COPY" || ins.keyword == "ADD") && ins.flag("from")) refs.push_back(*ins.flag("from"));
            if (ins.keyword == "RUN")
                for (const auto& m : ins.flag_values("mount"))
                    if (auto f = mount_from(m); !f.empty()) refs.push_back(f);
            for (auto ref : refs) {
                try {
                    ref = lex.process_word(ref, meta_lookup);
                } catch (const Error&) {
                    continue;  // reported when the step runs
                }
                if (auto dep = find_stage(plan, ref, st.index)) {
                    st.needs.insert(*dep);
                    continue;
                }
                if (str::to_lower(ref) == st.name && !st.name.empty())
                    fail(ins, "stage \"" + st.name + "\" cannot use itself as a source (circular dependency)");
                for (const auto& later : plan.stages)
                    if (later.index > st.index && !later.name.empty() && later.name == str::to_lower(ref))
                        fail(ins, ins.keyword + " refers to stage \"" + later.name + "\", which comes later (at " +
                                      later.from.where() + "): a stage can only use earlier ones");
            }
        }
    }

    plan.target = plan.stages.size() - 1;
    if (!target.empty()) {
        auto t = find_stage(plan, target, plan.stages.size());
        if (!t || (str::parse_u64(target) && plan.stages[*t].name != str::to_lower(target) && !plan.stages[*t].name.empty()))
            throw Error("building target \"" + target + "\": no stage of that name in " + df.file);
        plan.target = *t;
    }
    // What the target needs, transitively (stages only depend on earlier ones).
    plan.stages[plan.target].needed = true;
    for (size_t k = plan.target + 1; k-- > 0;)
        if (plan.stages[k].needed)
            for (size_t d : plan.stages[k].needs) plan.stages[d].needed = true;
    return plan;
}

}  // namespace pc::build
