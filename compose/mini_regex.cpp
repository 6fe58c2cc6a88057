#include "compose/mini_regex.hpp"

#include <stdexcept>

namespace pc::compose {

// A compiled fragment: its first instruction and the holes (instruction indexes whose
// x or y target is still to be set, encoded as index*2 + (0 for x, 1 for y)).
struct MiniRegex::Frag {
    int start = -1;
    std::vector<int> holes;
};

bool MiniRegex::Class::contains(unsigned char c) const {
    bool in = false;
    for (const auto& [lo, hi] : ranges)
        if (c >= lo && c <= hi) in = true;
    return in != negated;
}

int MiniRegex::emit(Inst inst) {
    prog_.push_back(inst);
    return static_cast<int>(prog_.size()) - 1;
}

void MiniRegex::patch(const std::vector<int>& holes, int target) {
    for (int h : holes) {
        Inst& inst = prog_[static_cast<size_t>(h / 2)];
        if (h % 2 == 0) inst.x = target;
        else inst.y = target;
    }
}

MiniRegex::MiniRegex(std::string_view pattern) {
    size_t i = 0;
    Frag f = parse_alternation(pattern, i);
    if (i != pattern.size()) throw std::invalid_argument("unsupported regular expression: " + std::string(pattern));
    int match = emit(Inst{Op::Match});
    if (f.start < 0) f.start = match;
    patch(f.holes, match);
    emit(Inst{Op::Jump, 0, f.start, 0, -1});  // the entry point is the last instruction
}

MiniRegex::Frag MiniRegex::parse_alternation(std::string_view p, size_t& i) {
    Frag left = parse_sequence(p, i);
    while (i < p.size() && p[i] == '|') {
        ++i;
        Frag right = parse_sequence(p, i);
        for (Frag* side : {&left, &right}) {
            if (side->start >= 0) continue;  // an empty alternative: a jump to what follows
            side->start = emit(Inst{Op::Jump});
            side->holes.push_back(side->start * 2);
        }
        Frag out;
        out.start = emit(Inst{Op::Split, 0, left.start, right.start, -1});
        out.holes = left.holes;
        out.holes.insert(out.holes.end(), right.holes.begin(), right.holes.end());
        left = out;
    }
    return left;
}

MiniRegex::Frag MiniRegex::parse_sequence(std::string_view p, size_t& i) {
    Frag seq;
    while (i < p.size() && p[i] != '|' && p[i] != ')') {
        Frag next = parse_repeat(p, i);
        if (seq.start < 0) {
            seq = next;
        } else {
            patch(seq.holes, next.start);
            seq.holes = next.holes;
        }
    }
    return seq;
}

MiniRegex::Frag MiniRegex::parse_repeat(std::string_view p, size_t& i) {
    Frag atom = parse_atom(p, i);
    while (i < p.size() && (p[i] == '*' || p[i] == '+' || p[i] == '?')) {
        char q = p[i++];
        int split = emit(Inst{Op::Split, 0, atom.start, 0, -1});
        Frag out;
        if (q == '*') {
            patch(atom.holes, split);
            out.start = split;
            out.holes = {split * 2 + 1};
        } else if (q == '+') {
            patch(atom.holes, split);
            out.start = atom.start;
            out.holes = {split * 2 + 1};
        } else {
            out.start = split;
            out.holes = atom.holes;
            out.holes.push_back(split * 2 + 1);
        }
        atom = out;
    }
    return atom;
}

MiniRegex::Frag MiniRegex::parse_atom(std::string_view p, size_t& i) {
    char c = p[i++];
    Frag f;
    auto single = [&](Inst inst) {
        int at = emit(inst);
        f.start = at;
        f.holes = {at * 2};
    };
    switch (c) {
    case '(': {
        if (i + 1 < p.size() && p[i] == '?' && p[i + 1] == ':') i += 2;
        f = parse_alternation(p, i);
        if (i >= p.size() || p[i] != ')') throw std::invalid_argument("unbalanced ( in regular expression");
        ++i;
        if (f.start < 0) single(Inst{Op::Jump});
        return f;
    }
    case '.': single(Inst{Op::Any}); return f;
    case '^': single(Inst{Op::Begin}); return f;
    case '$': single(Inst{Op::End}); return f;
    case '[': {
        Class cls;
        if (i < p.size() && p[i] == '^') {
            cls.negated = true;
            ++i;
        }
        bool first = true;
        while (i < p.size() && (p[i] != ']' || first)) {
            first = false;
            unsigned char lo = static_cast<unsigned char>(p[i++]);
            if (lo == '\\' && i < p.size()) lo = static_cast<unsigned char>(p[i++]);
            unsigned char hi = lo;
            if (i + 1 < p.size() && p[i] == '-' && p[i + 1] != ']') {
                hi = static_cast<unsigned char>(p[i + 1]);
                i += 2;
            }
            cls.ranges.emplace_back(lo, hi);
        }
        if (i >= p.size()) throw std::invalid_argument("unbalanced [ in regular expression");
        ++i;
        classes_.push_back(cls);
        single(Inst{Op::Class, 0, 0, 0, static_cast<int>(classes_.size()) - 1});
        return f;
    }
    case '\\':
        if (i >= p.size()) throw std::invalid_argument("trailing \\ in regular expression");
        c = p[i++];
        [[fallthrough]];
    default: single(Inst{Op::Char, static_cast<unsigned char>(c)}); return f;
    }
}

bool MiniRegex::search(std::string_view text) const {
    const int n = static_cast<int>(prog_.size());
    const int entry = n - 1;
    std::vector<int> current, next;
    std::vector<size_t> mark(static_cast<size_t>(n), static_cast<size_t>(-1));
    std::vector<int> stack;
    // Adds the thread at `pc` and everything reachable without consuming input.
    auto add = [&](std::vector<int>& list, int start, size_t pos, size_t generation) -> bool {
        stack.assign(1, start);
        while (!stack.empty()) {
            int pc = stack.back();
            stack.pop_back();
            if (mark[static_cast<size_t>(pc)] == generation) continue;
            mark[static_cast<size_t>(pc)] = generation;
            const Inst& in = prog_[static_cast<size_t>(pc)];
            switch (in.op) {
            case Op::Jump: stack.push_back(in.x); break;
            case Op::Split:
                stack.push_back(in.y);
                stack.push_back(in.x);
                break;
            case Op::Begin:
                if (pos == 0) stack.push_back(in.x);
                break;
            case Op::End:
                if (pos == text.size()) stack.push_back(in.x);
                break;
            case Op::Match: return true;
            default: list.push_back(pc);
            }
        }
        return false;
    };
    for (size_t pos = 0; pos <= text.size(); ++pos) {
        // Unanchored search: a new thread starts at every position.
        if (add(current, entry, pos, pos * 2)) return true;
        if (pos == text.size()) break;
        next.clear();
        auto c = static_cast<unsigned char>(text[pos]);
        for (int pc : current) {
            const Inst& in = prog_[static_cast<size_t>(pc)];
            bool ok = (in.op == Op::Char && in.c == c) || (in.op == Op::Any && c != '\n') ||
                      (in.op == Op::Class && classes_[static_cast<size_t>(in.cls)].contains(c));
            if (ok && add(next, in.x, pos + 1, pos * 2 + 1)) return true;
        }
        current.swap(next);
    }
    return false;
}

}  // namespace pc::compose
