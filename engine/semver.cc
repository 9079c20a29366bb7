// semver.cc: node-semver's `satisfies` and `Range`, loose mode, bit for bit.
//
// node-semver does not parse a range with a grammar: it rewrites the string
// with a chain of regular expressions (strip build metadata, expand a hyphen
// range, glue operators to their versions, expand `^`, `~` and x-ranges, drop
// `*`), then keeps the pieces that still look like comparators. The
// regexes backtrack, are length-bounded (`\d{1,256}`) and the rewrites print
// numbers with JavaScript's `+x + 1`, so odd inputs take odd turns:
// `1.2.34.5` is the version 1.2.3-4.5, `* || 1.2.3-beta` rejects 1.2.3-beta,
// `1.2.3 ||` accepts everything, a number past MAX_SAFE_INTEGER anywhere
// makes the whole range invalid. So there are two readers:
//
// - a fast one for the shapes lockfiles are made of (`^1.2.3`, `~1.2`,
//   `>=1.0.0 <2`, `1.x || >=2.5.0-rc.1`, `*`), which evaluates each token
//   directly and allocates nothing; any byte outside that grammar sends the
//   range to
// - the exact one, which replays node-semver's pipeline step by step with
//   the same regexes (copied from internal/re.js, run by a small backtracking
//   matcher with memoisation, so it is linear and never recurses).
//
// Both feed the same evaluator, which applies testSet's prerelease rule. The
// table in tests/data/semver_cases.tsv is generated from node-semver itself.
#include "lockcut/semver.h"

#include <array>
#include <charconv>
#include <string>
#include <vector>

namespace lockcut {
namespace {

constexpr uint64_t kMaxSafeInteger = 9007199254740991ULL;  // Number.MAX_SAFE_INTEGER
constexpr size_t kMaxVersionLength = 256;                   // node-semver MAX_LENGTH

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
bool is_ident_char(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}
bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_digit(c)) return false;
  }
  return true;
}

// ---- JavaScript string semantics ------------------------------------------

// Length of the JavaScript whitespace character (`\s`, String#trim) starting
// at s[i], or 0. The inputs are UTF-8; the set is ECMAScript's WhiteSpace and
// LineTerminator, which excludes U+0085, U+180E and U+200B.
size_t js_space_at(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u; };
  const unsigned c = b(0);
  if (c < 0x80) return is_space(static_cast<char>(c)) ? 1 : 0;
  if (c == 0xc2 && b(1) == 0xa0) return 2;                               // U+00A0
  if (c == 0xe1 && b(1) == 0x9a && b(2) == 0x80) return 3;               // U+1680
  if (c == 0xe2 && b(1) == 0x80 &&
      ((b(2) >= 0x80 && b(2) <= 0x8a) || b(2) == 0xa8 || b(2) == 0xa9 || b(2) == 0xaf)) {
    return 3;                                                            // U+2000-200A, 2028, 2029, 202F
  }
  if (c == 0xe2 && b(1) == 0x81 && b(2) == 0x9f) return 3;               // U+205F
  if (c == 0xe3 && b(1) == 0x80 && b(2) == 0x80) return 3;               // U+3000
  if (c == 0xef && b(1) == 0xbb && b(2) == 0xbf) return 3;               // U+FEFF
  return 0;
}

// Length of the JavaScript whitespace character ending at s[end - 1], or 0.
size_t js_space_before(std::string_view s, size_t end) {
  if (end >= 1 && is_space(s[end - 1])) return 1;
  if (end >= 2 && js_space_at(s.substr(0, end), end - 2) == 2) return 2;
  if (end >= 3 && js_space_at(s.substr(0, end), end - 3) == 3) return 3;
  return 0;
}

std::string_view js_trim(std::string_view s) {
  while (size_t k = s.empty() ? 0 : js_space_at(s, 0)) s.remove_prefix(k);
  while (size_t k = js_space_before(s, s.size())) s.remove_suffix(k);
  return s;
}

// String#length counts UTF-16 code units.
size_t utf16_length(std::string_view s) {
  size_t n = 0;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    n += ((c & 0xc0) != 0x80) + (c >= 0xf0);  // a 4-byte sequence is a surrogate pair
  }
  return n;
}

// After the range's whitespace is collapsed only ASCII spaces are left.
std::string_view trim_spaces(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// `s.split(/\s+/)`, empty leading and trailing fields included.
std::vector<std::string_view> split_spaces(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i < s.size();) {
    if (!is_space(s[i])) {
      ++i;
      continue;
    }
    out.push_back(s.substr(start, i - start));
    while (i < s.size() && is_space(s[i])) ++i;
    start = i;
  }
  out.push_back(s.substr(start));
  return out;
}

// ---- Numbers --------------------------------------------------------------

std::string_view strip_zeros(std::string_view digits) {
  while (digits.size() > 1 && digits.front() == '0') digits.remove_prefix(1);
  return digits;
}

// The value of a digit string if SemVer accepts it (at most MAX_SAFE_INTEGER).
bool safe_integer(std::string_view digits, uint64_t& out) {
  digits = strip_zeros(digits);
  if (digits.empty() || digits.size() > 16) return false;
  uint64_t v = 0;
  for (char c : digits) v = v * 10 + static_cast<uint64_t>(c - '0');
  if (v > kMaxSafeInteger) return false;
  out = v;
  return true;
}

// `+digits`: the nearest double, as JavaScript rounds it.
double js_number(std::string_view digits) {
  digits = strip_zeros(digits);
  double d = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), d);
  return d;
}

// Number#toString of a positive integral double: plain digits below 1e21,
// shortest round-trip digits in exponent form above.
std::string js_number_string(double d) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  const std::string_view sci(buf, static_cast<size_t>(r.ptr - buf));
  const size_t e = sci.find('e');
  std::string digits(1, sci[0]);
  if (e > 2) digits.append(sci.substr(2, e - 2));
  int exp = 0;
  std::from_chars(sci.data() + e + (sci[e + 1] == '+' ? 2 : 1), sci.data() + sci.size(), exp);
  const int n = exp + 1;
  const int k = static_cast<int>(digits.size());
  if (n <= 21) return digits + std::string(n > k ? static_cast<size_t>(n - k) : 0, '0');
  std::string out(1, digits[0]);
  if (k > 1) out.append(".").append(digits, 1);
  return out + "e+" + std::to_string(n - 1);
}

// `${+digits + 1}`, the upper bounds of `~`, `^`, x-ranges and hyphens.
std::string js_increment(std::string_view digits) {
  const std::string_view t = strip_zeros(digits);
  if (t.size() <= 15) {
    uint64_t v = 0;
    for (char c : t) v = v * 10 + static_cast<uint64_t>(c - '0');
    return std::to_string(v + 1);
  }
  return js_number_string(js_number(t) + 1.0);
}

// ---- Precedence -----------------------------------------------------------

// A numeric prerelease identifier: node-semver stores it as a number below
// MAX_SAFE_INTEGER and as a string from there on, but compareIdentifiers
// still compares such strings through doubles.
struct NumericId {
  bool small;
  uint64_t value;
  double approx;
};

NumericId numeric_id(std::string_view digits) {
  const std::string_view t = strip_zeros(digits);
  if (t.size() <= 16) {
    uint64_t v = 0;
    for (char c : t) v = v * 10 + static_cast<uint64_t>(c - '0');
    if (v < kMaxSafeInteger) return {true, v, static_cast<double>(v)};
  }
  return {false, 0, js_number(t)};
}

// SemVer#comparePre over the dotted identifier lists.
int compare_prerelease(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return a.empty() == b.empty() ? 0 : (a.empty() ? 1 : -1);
  size_t i = 0, j = 0;
  for (;;) {
    const bool a_end = i > a.size(), b_end = j > b.size();
    if (a_end || b_end) return a_end == b_end ? 0 : (a_end ? -1 : 1);
    const size_t ai = std::min(a.find('.', i), a.size()), bj = std::min(b.find('.', j), b.size());
    const std::string_view x = a.substr(i, ai - i), y = b.substr(j, bj - j);
    i = ai + 1;
    j = bj + 1;
    const bool xn = all_digits(x), yn = all_digits(y);
    if (xn && yn) {
      const NumericId p = numeric_id(x), q = numeric_id(y);
      if (p.small && q.small) {
        if (p.value != q.value) return p.value < q.value ? -1 : 1;
        continue;
      }
      if (!p.small && !q.small && x == y) continue;
      // Two different huge identifiers that round to the same double end
      // the comparison as equal, without looking further.
      if (p.approx == q.approx) return 0;
      return p.approx < q.approx ? -1 : 1;
    }
    if (xn != yn) return xn ? -1 : 1;
    if (x != y) return x < y ? -1 : 1;
  }
}

int compare_triples(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t b0, uint64_t b1, uint64_t b2) {
  if (a0 != b0) return a0 < b0 ? -1 : 1;
  if (a1 != b1) return a1 < b1 ? -1 : 1;
  if (a2 != b2) return a2 < b2 ? -1 : 1;
  return 0;
}

// ---- A small regex engine ---------------------------------------------------

// Backtracking over a compiled program with an explicit stack, plus a visited
// set over (instruction, position) so no state is explored twice: linear in
// the input for these patterns, and no recursion. Supports what re.js uses:
// literals, classes, \d \s, groups, `|`, `? * + {m,n}` (greedy), `^ $`.
class Regex {
 public:
  static constexpr int kSlots = 2 * 16;  // capture group boundaries, group 0 included
  static constexpr size_t kUnset = static_cast<size_t>(-1);

  struct Match {
    size_t cap[kSlots];
    bool has(int g) const { return cap[2 * g] != kUnset; }
    std::string_view group(std::string_view s, int g) const {
      return has(g) ? s.substr(cap[2 * g], cap[2 * g + 1] - cap[2 * g]) : std::string_view();
    }
  };

  explicit Regex(std::string_view pattern) : pattern_(pattern), anchored_(pattern.substr(0, 1) == "^") {
    const int root = parse_alternation();
    compile(root);
    prog_.push_back({Op::match, 0, 0, 0, 0, 0});
  }

  // Finds matches left to right; owns the visited set so that a global
  // replace stays linear.
  class Searcher {
   public:
    Searcher(const Regex& re, std::string_view s) : re_(re), s_(s) {
      const size_t bits = re.prog_.size() * (s.size() + 1);
      if (bits <= (size_t{1} << 28)) visited_.assign((bits + 63) / 64, 0);
    }

    bool find(size_t from, Match& m) {
      // States at `from` may lie on the previous match's path; every other
      // state seen so far failed and still fails.
      if (!visited_.empty()) {
        for (size_t pc = 0; pc < re_.prog_.size(); ++pc) clear(pc, from);
      }
      for (size_t start = from; start <= s_.size(); ++start) {
        if (run(start, m)) return true;
        if (re_.anchored_) break;
      }
      return false;
    }

   private:
    enum class Kind : uint8_t { branch, retry, restore };
    struct Frame {
      Kind kind;
      uint32_t pc;
      size_t a, b;
    };

    bool visit(size_t pc, size_t pos) {
      if (visited_.empty()) return true;
      const size_t k = pos * re_.prog_.size() + pc;
      uint64_t& w = visited_[k / 64];
      const uint64_t bit = uint64_t{1} << (k % 64);
      if (w & bit) return false;
      w |= bit;
      return true;
    }
    void mark(size_t pc, size_t pos) {
      if (visited_.empty()) return;
      const size_t k = pos * re_.prog_.size() + pc;
      visited_[k / 64] |= uint64_t{1} << (k % 64);
    }
    void clear(size_t pc, size_t pos) {
      const size_t k = pos * re_.prog_.size() + pc;
      visited_[k / 64] &= ~(uint64_t{1} << (k % 64));
    }

    bool run(size_t start, Match& m) {
      std::fill(std::begin(m.cap), std::end(m.cap), kUnset);
      stack_.clear();
      stack_.push_back({Kind::branch, 0, start, 0});
      while (!stack_.empty()) {
        const Frame f = stack_.back();
        stack_.pop_back();
        uint32_t pc = f.pc;
        size_t pos = f.a;
        if (f.kind == Kind::restore) {
          m.cap[f.pc] = f.a;
          continue;
        }
        if (f.kind == Kind::retry) {  // a greedy repeat gives back one character
          pos = f.b - 1;
          if (pos > f.a) stack_.push_back({Kind::retry, pc, f.a, pos});
        }
        while (visit(pc, pos)) {
          const Inst& in = re_.prog_[pc];
          if (in.op == Op::cls) {
            if (pos >= s_.size() || !re_.has(in.cls, s_[pos])) break;
            ++pc, ++pos;
          } else if (in.op == Op::repeat) {
            size_t n = 0;
            while (n < in.max && pos + n < s_.size() && re_.has(in.cls, s_[pos + n])) ++n;
            if (n < in.min) break;
            if (in.max == kInf) {
              // The same repeat entered later in this run could only reach
              // continuations this one reaches, so mark those entries done
              // (a run of `v`s would otherwise cost quadratic time). Holds
              // because no unbounded repeat in re.js sits inside a loop.
              for (size_t k = 1; k <= n; ++k) mark(pc, pos + k);
            }
            if (n > in.min) stack_.push_back({Kind::retry, pc + 1, pos + in.min, pos + n});
            ++pc, pos += n;
          } else if (in.op == Op::split) {
            stack_.push_back({Kind::branch, in.y, pos, 0});
            pc = in.x;
          } else if (in.op == Op::jmp) {
            pc = in.x;
          } else if (in.op == Op::save) {
            stack_.push_back({Kind::restore, in.x, m.cap[in.x], 0});
            m.cap[in.x] = pos;
            ++pc;
          } else if (in.op == Op::bol) {
            if (pos != 0) break;
            ++pc;
          } else if (in.op == Op::eol) {
            if (pos != s_.size()) break;
            ++pc;
          } else {
            m.cap[0] = start;
            m.cap[1] = pos;
            return true;
          }
        }
      }
      return false;
    }

    const Regex& re_;
    std::string_view s_;
    std::vector<uint64_t> visited_;
    std::vector<Frame> stack_;
  };

  bool search(std::string_view s, Match& m) const { return Searcher(*this, s).find(0, m); }

 private:
  enum class Op : uint8_t { cls, repeat, split, jmp, save, bol, eol, match };
  struct Inst {
    Op op;
    uint16_t cls;
    uint32_t x, y;
    size_t min, max;
  };
  using CharSet = std::array<uint64_t, 4>;
  enum class Kind : uint8_t { chr, cat, alt, group, repeat, bol, eol };
  struct Node {
    explicit Node(Kind k) : kind(k) {}
    Kind kind;
    int cls = 0, group = -1;
    size_t min = 0, max = 0;
    std::vector<int> kids;
  };
  static constexpr size_t kInf = static_cast<size_t>(-1);

  bool has(uint16_t cls, char c) const {
    const auto u = static_cast<unsigned char>(c);
    return (sets_[cls][u / 64] >> (u % 64)) & 1;
  }

  int add_node(Node n) {
    nodes_.push_back(std::move(n));
    return static_cast<int>(nodes_.size() - 1);
  }
  int add_set(const CharSet& s) {
    sets_.push_back(s);
    return static_cast<int>(sets_.size() - 1);
  }
  static void set_add(CharSet& s, unsigned char c) { s[c / 64] |= uint64_t{1} << (c % 64); }
  static void set_range(CharSet& s, unsigned char lo, unsigned char hi) {
    for (unsigned c = lo; c <= hi; ++c) set_add(s, static_cast<unsigned char>(c));
  }
  static void set_escape(CharSet& s, char e) {
    if (e == 'd') {
      set_range(s, '0', '9');
    } else if (e == 's') {
      set_range(s, '\t', '\r');
      set_add(s, ' ');
    } else {
      set_add(s, static_cast<unsigned char>(e));
    }
  }

  char peek() const { return at_ < pattern_.size() ? pattern_[at_] : '\0'; }

  int parse_alternation() {
    Node alt{Kind::alt};
    alt.kids.push_back(parse_sequence());
    while (peek() == '|') {
      ++at_;
      alt.kids.push_back(parse_sequence());
    }
    return alt.kids.size() == 1 ? alt.kids[0] : add_node(std::move(alt));
  }

  int parse_sequence() {
    Node cat{Kind::cat};
    while (at_ < pattern_.size() && peek() != '|' && peek() != ')') {
      cat.kids.push_back(parse_quantifier(parse_atom()));
    }
    return add_node(std::move(cat));
  }

  int parse_atom() {
    const char c = pattern_[at_++];
    CharSet set{};
    if (c == '(') {
      int group = -1;
      if (pattern_.substr(at_, 2) == "?:") {
        at_ += 2;
      } else {
        group = ++groups_;
      }
      Node g{Kind::group};
      g.group = group;
      g.kids.push_back(parse_alternation());
      ++at_;  // ')'
      return add_node(std::move(g));
    }
    if (c == '^') return add_node(Node(Kind::bol));
    if (c == '$') return add_node(Node(Kind::eol));
    if (c == '[') {
      while (peek() != ']') {
        char lo = pattern_[at_++];
        if (lo == '\\') {
          set_escape(set, pattern_[at_++]);
        } else if (peek() == '-' && at_ + 1 < pattern_.size() && pattern_[at_ + 1] != ']') {
          set_range(set, static_cast<unsigned char>(lo), static_cast<unsigned char>(pattern_[at_ + 1]));
          at_ += 2;
        } else {
          set_add(set, static_cast<unsigned char>(lo));
        }
      }
      ++at_;  // ']'
    } else if (c == '\\') {
      set_escape(set, pattern_[at_++]);
    } else {
      set_add(set, static_cast<unsigned char>(c));
    }
    Node n{Kind::chr};
    n.cls = add_set(set);
    return add_node(std::move(n));
  }

  int parse_quantifier(int atom) {
    size_t min = 1, max = 1;
    const char c = peek();
    if (c == '?') {
      min = 0;
    } else if (c == '*') {
      min = 0, max = kInf;
    } else if (c == '+') {
      max = kInf;
    } else if (c == '{') {
      const size_t close = pattern_.find('}', at_);
      const std::string_view body = std::string_view(pattern_).substr(at_ + 1, close - at_ - 1);
      const size_t comma = body.find(',');
      std::from_chars(body.data(), body.data() + body.size(), min);
      max = min;
      if (comma != std::string_view::npos) {
        max = comma + 1 == body.size() ? kInf : 0;
        std::from_chars(body.data() + comma + 1, body.data() + body.size(), max);
      }
      at_ = close;
    } else {
      return atom;
    }
    ++at_;
    Node r{Kind::repeat};
    r.min = min, r.max = max;
    r.kids.push_back(atom);
    return add_node(std::move(r));
  }

  uint32_t here() const { return static_cast<uint32_t>(prog_.size()); }
  uint32_t emit(Op op, uint32_t x = 0, uint32_t y = 0) {
    prog_.push_back({op, 0, x, y, 0, 0});
    return here() - 1;
  }

  void compile(int id) {
    const Node& n = nodes_[static_cast<size_t>(id)];
    switch (n.kind) {
      case Kind::chr:
        prog_.push_back({Op::cls, static_cast<uint16_t>(n.cls), 0, 0, 0, 0});
        break;
      case Kind::bol:
        emit(Op::bol);
        break;
      case Kind::eol:
        emit(Op::eol);
        break;
      case Kind::cat:
        for (int k : n.kids) compile(k);
        break;
      case Kind::group:
        if (n.group >= 0) emit(Op::save, static_cast<uint32_t>(2 * n.group));
        compile(n.kids[0]);
        if (n.group >= 0) emit(Op::save, static_cast<uint32_t>(2 * n.group + 1));
        break;
      case Kind::alt: {
        std::vector<uint32_t> jumps;
        for (size_t k = 0; k + 1 < n.kids.size(); ++k) {
          const uint32_t split = emit(Op::split, here() + 1);
          compile(n.kids[k]);
          jumps.push_back(emit(Op::jmp));
          prog_[split].y = here();
        }
        compile(n.kids.back());
        for (uint32_t j : jumps) prog_[j].x = here();
        break;
      }
      case Kind::repeat: {
        const Node& kid = nodes_[static_cast<size_t>(n.kids[0])];
        if (kid.kind == Kind::chr) {
          prog_.push_back({Op::repeat, static_cast<uint16_t>(kid.cls), 0, 0, n.min, n.max});
          break;
        }
        for (size_t k = 0; k < n.min; ++k) compile(n.kids[0]);
        if (n.max == kInf) {
          const uint32_t loop = emit(Op::split, here() + 1);
          compile(n.kids[0]);
          emit(Op::jmp, loop);
          prog_[loop].y = here();
        } else {
          std::vector<uint32_t> splits;
          for (size_t k = n.min; k < n.max; ++k) {
            splits.push_back(emit(Op::split, here() + 1));
            compile(n.kids[0]);
          }
          for (uint32_t s : splits) prog_[s].y = here();
        }
        break;
      }
    }
  }

  std::string pattern_;
  size_t at_ = 0;
  int groups_ = 0;
  bool anchored_;
  std::vector<Node> nodes_;
  std::vector<CharSet> sets_;
  std::vector<Inst> prog_;
};

// node-semver's internal/re.js, loose forms, after makeSafeRegex (which caps
// `\d+` at 256 digits, identifiers at 250 characters and `\s*` at one space).
struct Patterns {
  const std::string num = R"(0|[1-9]\d{0,256})";
  const std::string num_loose = R"(\d{1,256})";
  const std::string non_num = R"(\d{0,256}[a-zA-Z-][a-zA-Z0-9-]{0,250})";
  const std::string pre_id = "(?:" + non_num + "|" + num + ")";
  const std::string pre_id_loose = "(?:" + non_num + "|" + num_loose + ")";
  const std::string pre = "(?:-(" + pre_id + R"((?:\.)" + pre_id + ")*))";
  const std::string pre_loose = "(?:-?(" + pre_id_loose + R"((?:\.)" + pre_id_loose + ")*))";
  const std::string build_id = "[a-zA-Z0-9-]{1,250}";
  const std::string build = R"((?:\+()" + build_id + R"((?:\.)" + build_id + ")*))";
  const std::string loose_plain = R"([v=\s]*()" + num_loose + R"()\.()" + num_loose + R"()\.()" +
                                  num_loose + ")" + pre_loose + "?" + build + "?";
  const std::string gtlt = "((?:<|>)?=?)";
  const std::string xid = num + "|x|X|\\*";
  const std::string xid_loose = num_loose + "|x|X|\\*";
  static std::string xrange_plain(const std::string& id, const std::string& prerelease,
                                  const std::string& build) {
    return R"([v=\s]*()" + id + R"()(?:\.()" + id + R"()(?:\.()" + id + ")(?:" + prerelease + ")?" +
           build + "?)?)?";
  }
  const std::string xplain = xrange_plain(xid, pre, build);
  const std::string xplain_loose = xrange_plain(xid_loose, pre_loose, build);

  // Capture groups are noted where the pipeline reads them.
  Regex loose{"^" + loose_plain + "$"};  // 1-3 major.minor.patch, 4 prerelease
  Regex comparator{"^" + gtlt + R"(\s{0,1}()" + loose_plain + ")$|^$"};  // 1 op, 2 version, 3-5, 6 pre
  Regex comparator_trim{R"((\s{0,1}))" + gtlt + R"(\s{0,1}()" + loose_plain + "|" + xplain + ")"};
  Regex hyphen{R"(^\s{0,1}()" + xplain_loose + R"()\s{1,1}-\s{1,1}()" + xplain_loose + R"()\s{0,1}$)"};
  Regex tilde{"^(?:~>?)" + xplain_loose + "$"};   // 1-3 M.m.p, 4 prerelease
  Regex caret{R"(^(?:\^))" + xplain_loose + "$"};  // 1-3 M.m.p, 4 prerelease
  Regex xrange{"^" + gtlt + R"(\s{0,1})" + xplain_loose + "$"};  // 1 op, 2-4 M.m.p
  Regex star{R"((<|>)?=?\s{0,1}\*)"};
  Regex build_re{build};
};

const Patterns& patterns() {
  static const Patterns p;
  return p;
}

// ---- Evaluation -------------------------------------------------------------

enum class CmpOp : uint8_t { eq, lt, le, gt, ge };

// One comparator of a set: `op major.minor.patch[-pre]`.
struct Bound {
  CmpOp op;
  uint64_t major, minor, patch;
  std::string_view pre;
};

// Range#test over the comparator sets as the readers produce them, plus what
// the constructor does with them: empty sets vanish, and when a set is
// exactly `*` the whole range becomes that set.
class RangeEval {
 public:
  RangeEval(const Version* version, bool include_prerelease)
      : version_(version), include_prerelease_(include_prerelease) {}

  void begin_set() { comps_ = non_any_ = 0, pass_ = true, pre_ok_ = false; }
  void add_any() { ++comps_; }
  void add(const Bound& b) {
    ++comps_, ++non_any_;
    if (!version_ || !pass_) return;
    const Version& v = *version_;
    int c = compare_triples(v.major, v.minor, v.patch, b.major, b.minor, b.patch);
    if (c == 0 && !b.pre.empty()) {
      pre_ok_ = true;  // testSet: a prerelease bound admits prereleases of its own x.y.z
    }
    if (c == 0) c = compare_prerelease(v.prerelease, b.pre);
    switch (b.op) {
      case CmpOp::eq: pass_ = c == 0; break;
      case CmpOp::lt: pass_ = c < 0; break;
      case CmpOp::le: pass_ = c <= 0; break;
      case CmpOp::gt: pass_ = c > 0; break;
      case CmpOp::ge: pass_ = c >= 0; break;
    }
  }
  void end_set() {
    if (comps_ == 0) return;
    ++sets_;
    if (non_any_ == 0) any_set_ = true;
    if (version_ && pass_ && (version_->prerelease.empty() || include_prerelease_ || pre_ok_)) {
      matched_ = true;
    }
  }

  bool valid() const { return sets_ > 0; }
  bool matches() const {
    if (!version_ || !valid()) return false;
    if (any_set_) return version_->prerelease.empty() || include_prerelease_;
    return matched_;
  }

 private:
  const Version* version_;
  bool include_prerelease_;
  int comps_ = 0, non_any_ = 0;
  bool pass_ = true, pre_ok_ = false;
  int sets_ = 0;
  bool any_set_ = false, matched_ = false;
};

// Adds `op M.m.p[-pre]` unless replaceGTE0 turns it into `*`.
void add_bound(RangeEval& ev, bool include_prerelease, const Bound& b, bool plain_text = true) {
  if (plain_text && b.op == CmpOp::ge && b.major == 0 && b.minor == 0 && b.patch == 0 &&
      b.pre == (include_prerelease ? "0" : "")) {
    ev.add_any();
  } else {
    ev.add(b);
  }
}

// ---- Fast reader --------------------------------------------------------------

// Tokens `[op][ ]['v']X[.X[.X[-pre]]]` separated by spaces and `||`, where
// op is one of `^ ~ ~> < <= > >= =` and X is a number without leading zeros
// (at most 15 digits, so bounds and their increments are exact) or x, X, *.
// For these node-semver's trims only glue an operator to its version and
// every token expands on its own, so each is evaluated directly.
class FastReader {
 public:
  FastReader(std::string_view s, bool include_prerelease, RangeEval& ev)
      : s_(s), include_prerelease_(include_prerelease), ev_(ev) {}

  // False when the range is outside the grammar (nothing is decided then).
  bool run() {
    for (;;) {
      ev_.begin_set();
      // A token that expands to nothing (`*`, `^x`) leaves an empty field,
      // and `join(' ').split(/\s+/)` keeps that `*` only at either end.
      bool first = true, first_empty = false, last_empty = true;  // no token: `*`
      while (skip_spaces(), i_ < s_.size() && s_[i_] != '|') {
        empty_ = false;
        if (!token()) return false;
        if (i_ < s_.size() && s_[i_] != ' ' && s_[i_] != '|') return false;
        first_empty = first ? empty_ : first_empty;
        last_empty = empty_;
        first = false;
      }
      if (first_empty || last_empty) ev_.add_any();
      ev_.end_set();
      if (i_ == s_.size()) return true;
      if (at(i_ + 1) != '|' || at(i_ + 2) == '|') return false;  // `|||` splits oddly
      i_ += 2;
    }
  }

 private:
  struct Part {
    bool present = false, wild = false;
    uint64_t value = 0;
    bool is_x() const { return !present || wild; }
  };
  enum class Kind : uint8_t { caret, tilde, plain };

  void skip_spaces() {
    while (i_ < s_.size() && s_[i_] == ' ') ++i_;
  }
  char at(size_t i) const { return i < s_.size() ? s_[i] : '\0'; }

  bool part(Part& p) {
    const char c = at(i_);
    p.present = true;
    if (c == 'x' || c == 'X' || c == '*') {
      p.wild = true;
      ++i_;
      return true;
    }
    if (!is_digit(c) || (c == '0' && is_digit(at(i_ + 1)))) return false;
    const size_t start = i_;
    while (is_digit(at(i_))) p.value = p.value * 10 + static_cast<uint64_t>(s_[i_++] - '0');
    return i_ - start <= 15;
  }

  void add(CmpOp op, uint64_t M, uint64_t m, uint64_t p, std::string_view pre, bool plain_text = true) {
    add_bound(ev_, include_prerelease_, {op, M, m, p, pre}, plain_text);
  }

  bool token() {
    const size_t start = i_;
    Kind kind = Kind::plain;
    CmpOp op = CmpOp::eq;
    bool has_op = true;
    const char c = at(i_);
    if (c == '^') {
      kind = Kind::caret, ++i_;
    } else if (c == '~') {
      kind = Kind::tilde, ++i_;
      if (at(i_) == '>') ++i_;
    } else if (c == '<' || c == '>') {
      ++i_;
      const bool eq = at(i_) == '=';
      i_ += eq;
      op = c == '<' ? (eq ? CmpOp::le : CmpOp::lt) : (eq ? CmpOp::ge : CmpOp::gt);
    } else if (c == '=') {
      ++i_;
    } else {
      has_op = false;
    }
    if (has_op && at(i_) == ' ') {
      skip_spaces();  // the trims glue `>= 1.2.3`, `~ 1.2`, `^ 1` together
      const char d = at(i_);
      if (!(is_digit(d) || d == 'x' || d == 'X' || d == '*' || d == 'v')) return false;
    }
    const bool v_prefix = at(i_) == 'v';
    i_ += v_prefix;
    Part P[3];
    if (!part(P[0])) return false;
    if (at(i_) == '.') {
      ++i_;
      if (!part(P[1])) return false;
      if (at(i_) == '.') {
        ++i_;
        if (!part(P[2])) return false;
      }
    }
    std::string_view pre;
    if (P[2].present && at(i_) == '-') {
      const size_t pre_start = ++i_;
      for (;;) {
        const size_t id = i_;
        while (is_ident_char(at(i_))) ++i_;
        if (i_ == id) return false;
        if (at(i_) != '.') break;
        ++i_;
      }
      pre = s_.substr(pre_start, i_ - pre_start);
    }
    if (i_ - start > 128) return false;
    const uint64_t M = P[0].value, m = P[1].value, p = P[2].value;
    const bool xM = P[0].is_x(), xm = xM || P[1].is_x(), xp = xm || P[2].is_x();
    const std::string_view z = include_prerelease_ ? "0" : "";
    if (kind == Kind::caret) {
      if (xM) {
        empty_ = true;
      } else if (xm) {
        add(CmpOp::ge, M, 0, 0, z), add(CmpOp::lt, M + 1, 0, 0, "0");
      } else if (xp) {
        add(CmpOp::ge, M, m, 0, z);
        if (M == 0) {
          add(CmpOp::lt, 0, m + 1, 0, "0");
        } else {
          add(CmpOp::lt, M + 1, 0, 0, "0");
        }
      } else {
        add(CmpOp::ge, M, m, p, pre);
        if (M != 0) {
          add(CmpOp::lt, M + 1, 0, 0, "0");
        } else if (m != 0) {
          add(CmpOp::lt, 0, m + 1, 0, "0");
        } else {
          add(CmpOp::lt, 0, 0, p + 1, "0");
        }
      }
      return true;
    }
    if (kind == Kind::tilde) {
      if (xM) {
        empty_ = true;
      } else if (xm) {
        add(CmpOp::ge, M, 0, 0, z), add(CmpOp::lt, M + 1, 0, 0, "0");
      } else {
        add(CmpOp::ge, M, m, xp ? 0 : p, xp ? z : pre), add(CmpOp::lt, M, m + 1, 0, "0");
      }
      return true;
    }
    // replaceXRange. An x before a number (`x.1`, `1.x.2`) is left alone and
    // then fails the comparator regex, so the token vanishes.
    if ((xM && !P[1].is_x()) || (P[1].is_x() && P[2].present && !P[2].wild)) return true;
    if (!xp) {
      add(op, M, m, p, pre, !v_prefix);
      return true;
    }
    const bool bare = !has_op || c == '=';
    if (xM) {
      if (!bare && (op == CmpOp::lt || op == CmpOp::gt)) {
        add(CmpOp::lt, 0, 0, 0, "0");  // `<x`, `>x`: nothing
      } else {
        empty_ = true;
      }
    } else if (!bare) {
      uint64_t M2 = M, m2 = xm ? 0 : m;
      if (op == CmpOp::gt || op == CmpOp::le) {  // `>1.2` := `>=1.3.0`, `<=1` := `<2.0.0-0`
        if (xm) {
          M2 = M + 1;
        } else {
          m2 = m + 1;
        }
        op = op == CmpOp::gt ? CmpOp::ge : CmpOp::lt;
      }
      add(op, M2, m2, 0, op == CmpOp::lt ? "0" : z);
    } else if (xm) {
      add(CmpOp::ge, M, 0, 0, z), add(CmpOp::lt, M + 1, 0, 0, "0");
    } else {
      add(CmpOp::ge, M, m, 0, z), add(CmpOp::lt, M, m + 1, 0, "0");
    }
    return true;
  }

  std::string_view s_;
  size_t i_ = 0;
  bool include_prerelease_;
  bool empty_ = false;  // the last token expanded to nothing
  RangeEval& ev_;
};

// ---- Exact reader: node-semver's Range constructor, step by step ----------

bool is_x(std::string_view id) { return id.empty() || id == "x" || id == "X" || id == "*"; }

// Every x-range and comparator has a digit or an x somewhere; the cheap test
// keeps junk like `latest` away from the regexes.
bool has_version_char(std::string_view s) {
  for (char c : s) {
    if (is_digit(c) || c == 'x' || c == 'X' || c == '*') return true;
  }
  return false;
}

class ExactReader {
 public:
  ExactReader(bool include_prerelease, RangeEval& ev)
      : include_prerelease_(include_prerelease), z_(include_prerelease ? "-0" : ""), ev_(ev) {}

  // False when node-semver would throw (the range is invalid).
  bool run(std::string_view range) {
    // `range.trim().replace(/\s+/g, ' ').split('||')`
    std::string raw;
    const std::string_view t = js_trim(range);
    for (size_t i = 0; i < t.size();) {
      if (js_space_at(t, i) == 0) {
        raw += t[i++];
        continue;
      }
      while (size_t k = js_space_at(t, i)) i += k;
      raw += ' ';
    }
    for (size_t start = 0;;) {
      const size_t bar = raw.find("||", start);
      const std::string_view whole(raw);
      const std::string_view part =
          whole.substr(start, bar == std::string::npos ? std::string::npos : bar - start);
      if (!parse_range(trim_spaces(part))) return false;
      if (bar == std::string::npos) return true;
      start = bar + 2;
    }
  }

 private:
  const Patterns& re_ = patterns();

  bool parse_range(std::string_view part) {
    std::string s = strip_builds(part);
    s = replace_hyphen(s);
    s = trim_comparators(s);
    s = glue(s, '~');
    s = glue(s, '^');
    std::string joined;
    size_t start = 0;
    for (;;) {  // split(' ').map(parseComparator).join(' ')
      const size_t sp = s.find(' ', start);
      if (start > 0) joined += ' ';
      const size_t end = sp == std::string::npos ? s.size() : sp;
      joined += parse_comparator(std::string_view(s).substr(start, end - start));
      if (sp == std::string::npos) break;
      start = sp + 1;
    }
    ev_.begin_set();
    for (std::string_view comp : split_spaces(joined)) {
      if (comp == (include_prerelease_ ? ">=0.0.0-0" : ">=0.0.0")) comp = "";  // replaceGTE0
      if (!add_comparator(comp)) return false;
    }
    ev_.end_set();
    return true;
  }

  // BUILDSTRIPRE, the unbounded form, global.
  static std::string strip_builds(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size();) {
      if (s[i] != '+' || i + 1 >= s.size() || !is_ident_char(s[i + 1])) {
        out += s[i++];
        continue;
      }
      ++i;
      for (;;) {
        while (i < s.size() && is_ident_char(s[i])) ++i;
        if (i + 1 < s.size() && s[i] == '.' && is_ident_char(s[i + 1])) {
          ++i;
        } else {
          break;
        }
      }
    }
    return out;
  }

  std::string replace_hyphen(const std::string& s) const {
    Regex::Match m;
    if (s.find(" - ") == std::string::npos || !re_.hyphen.search(s, m)) return s;
    const auto g = [&](int k) { return m.group(s, k); };
    std::string from, to;
    if (is_x(g(2))) {
    } else if (is_x(g(3))) {
      from = ">=" + std::string(g(2)) + ".0.0" + z_;
    } else if (is_x(g(4))) {
      from = ">=" + std::string(g(2)) + "." + std::string(g(3)) + ".0" + z_;
    } else if (!g(5).empty()) {
      from = ">=" + std::string(g(1));
    } else {
      from = ">=" + std::string(g(1)) + z_;
    }
    if (is_x(g(8))) {
    } else if (is_x(g(9))) {
      to = "<" + js_increment(g(8)) + ".0.0-0";
    } else if (is_x(g(10))) {
      to = "<" + std::string(g(8)) + "." + js_increment(g(9)) + ".0-0";
    } else if (!g(11).empty()) {
      to = "<=" + std::string(g(8)) + "." + std::string(g(9)) + "." + std::string(g(10)) + "-" +
           std::string(g(11));
    } else if (include_prerelease_) {
      to = "<" + std::string(g(8)) + "." + std::string(g(9)) + "." + js_increment(g(10)) + "-0";
    } else {
      to = "<=" + std::string(g(7));
    }
    return std::string(trim_spaces(from + " " + to));
  }

  // COMPARATORTRIM, global, `$1$2$3`: drops the space after an operator.
  std::string trim_comparators(const std::string& s) const {
    // Only a space right after `<`, `>`, `=` or another space can go.
    bool spaced = false;
    for (size_t i = 1; i < s.size() && !spaced; ++i) {
      spaced = s[i] == ' ' && (s[i - 1] == '<' || s[i - 1] == '>' || s[i - 1] == '=' || s[i - 1] == ' ');
    }
    if (!spaced) return s;
    Regex::Searcher searcher(re_.comparator_trim, s);
    Regex::Match m;
    std::string out;
    size_t last = 0;
    while (last <= s.size() && searcher.find(last, m)) {
      out.append(s, last, m.cap[0] - last);
      out.append(m.group(s, 1)).append(m.group(s, 2)).append(m.group(s, 3));
      if (m.cap[1] == last) break;  // the pattern never matches empty
      last = m.cap[1];
    }
    return out.append(s, last);
  }

  // TILDETRIM / CARETTRIM, global, `$1~` / `$1^`: `~ 1` and `~> 1` become `~1`.
  static std::string glue(const std::string& s, char op) {
    std::string out;
    for (size_t i = 0; i < s.size();) {
      out += s[i];
      if (s[i++] != op) continue;
      const size_t arrow = op == '~' && i < s.size() && s[i] == '>' ? 1 : 0;
      if (i + arrow < s.size() && is_space(s[i + arrow])) i += arrow + 1;
    }
    return out;
  }

  std::string parse_comparator(std::string_view comp) const {
    std::string c(comp);
    Regex::Match m;
    if (c.find('+') != std::string::npos && re_.build_re.search(c, m)) {
      c.erase(m.cap[0], m.cap[1] - m.cap[0]);
    }
    c = map_tokens(trim_spaces(c), &ExactReader::replace_caret);
    c = map_tokens(trim_spaces(c), &ExactReader::replace_tilde);
    c = map_tokens(c, &ExactReader::replace_xrange);
    c = std::string(trim_spaces(c));
    if (c.find('*') != std::string::npos && re_.star.search(c, m)) {
      c.erase(m.cap[0], m.cap[1] - m.cap[0]);
    }
    return c;
  }

  std::string map_tokens(std::string_view s, std::string (ExactReader::*f)(std::string_view) const) const {
    std::string out;
    bool first = true;
    for (std::string_view t : split_spaces(s)) {
      if (!first) out += ' ';
      first = false;
      out += (this->*f)(t);
    }
    return out;
  }

  // replaceCaret: ^1.2.3 := >=1.2.3 <2.0.0-0, ^0.2.3 := >=0.2.3 <0.3.0-0, ...
  std::string replace_caret(std::string_view comp) const {
    Regex::Match m;
    if (comp.substr(0, 1) != "^" || !re_.caret.search(comp, m)) return std::string(comp);
    const std::string M(m.group(comp, 1)), mi(m.group(comp, 2)), p(m.group(comp, 3)), pr(m.group(comp, 4));
    if (is_x(M)) return "";
    if (is_x(mi)) return ">=" + M + ".0.0" + z_ + " <" + js_increment(M) + ".0.0-0";
    if (is_x(p)) {
      const std::string lower = ">=" + M + "." + mi + ".0" + z_;
      if (M == "0") return lower + " <" + M + "." + js_increment(mi) + ".0-0";
      return lower + " <" + js_increment(M) + ".0.0-0";
    }
    const std::string lower = ">=" + M + "." + mi + "." + p + (pr.empty() ? "" : "-" + pr);
    if (M != "0") return lower + " <" + js_increment(M) + ".0.0-0";
    if (mi == "0") return lower + " <" + M + "." + mi + "." + js_increment(p) + "-0";
    return lower + " <" + M + "." + js_increment(mi) + ".0-0";
  }

  // replaceTilde: ~1.2.3 := >=1.2.3 <1.3.0-0, ~1 := >=1.0.0 <2.0.0-0
  std::string replace_tilde(std::string_view comp) const {
    Regex::Match m;
    if (comp.substr(0, 1) != "~" || !re_.tilde.search(comp, m)) return std::string(comp);
    const std::string M(m.group(comp, 1)), mi(m.group(comp, 2)), p(m.group(comp, 3)), pr(m.group(comp, 4));
    if (is_x(M)) return "";
    if (is_x(mi)) return ">=" + M + ".0.0" + z_ + " <" + js_increment(M) + ".0.0-0";
    const std::string upper = " <" + M + "." + js_increment(mi) + ".0-0";
    if (is_x(p)) return ">=" + M + "." + mi + ".0" + z_ + upper;
    return ">=" + M + "." + mi + "." + p + (pr.empty() ? "" : "-" + pr) + upper;
  }

  // replaceXRange: 1.x := >=1.0.0 <2.0.0-0, >1.2 := >=1.3.0, <=1 := <2.0.0-0
  std::string replace_xrange(std::string_view raw) const {
    const std::string_view comp = trim_spaces(raw);
    Regex::Match m;
    if (!has_version_char(comp) || !re_.xrange.search(comp, m)) return std::string(comp);
    std::string gtlt(m.group(comp, 1));
    const std::string M(m.group(comp, 2)), mi(m.group(comp, 3)), p(m.group(comp, 4));
    if ((is_x(M) && !is_x(mi)) || (is_x(mi) && !p.empty() && !is_x(p))) return std::string(comp);
    const bool xM = is_x(M), xm = xM || is_x(mi), xp = xm || is_x(p);
    if (gtlt == "=" && xp) gtlt.clear();
    std::string pr = z_;
    if (xM) return gtlt == ">" || gtlt == "<" ? "<0.0.0-0" : "*";
    if (!gtlt.empty() && xp) {
      std::string M2 = M, m2 = xm ? "0" : mi;
      if (gtlt == ">" || gtlt == "<=") {
        gtlt = gtlt == ">" ? ">=" : "<";
        if (xm) {
          M2 = js_increment(M);
        } else {
          m2 = js_increment(mi);
        }
      }
      if (gtlt == "<") pr = "-0";
      return gtlt + M2 + "." + m2 + ".0" + pr;
    }
    if (xm) return ">=" + M + ".0.0" + pr + " <" + js_increment(M) + ".0.0-0";
    if (xp) return ">=" + M + "." + mi + ".0" + pr + " <" + M + "." + js_increment(mi) + ".0-0";
    return std::string(comp);
  }

  // The loose-mode filter, then new Comparator(comp), which throws when the
  // version is longer than 256 characters or a number is unsafe.
  bool add_comparator(std::string_view comp) {
    if (comp.empty()) {
      ev_.add_any();
      return true;
    }
    Regex::Match m;
    if (!has_version_char(comp) || !re_.comparator.search(comp, m)) return true;
    if (m.group(comp, 2).size() > kMaxVersionLength) return false;
    Bound b{CmpOp::eq, 0, 0, 0, m.group(comp, 6)};
    if (!safe_integer(m.group(comp, 3), b.major) || !safe_integer(m.group(comp, 4), b.minor) ||
        !safe_integer(m.group(comp, 5), b.patch)) {
      return false;
    }
    const std::string_view op = m.group(comp, 1);
    if (op == "<") b.op = CmpOp::lt;
    if (op == "<=") b.op = CmpOp::le;
    if (op == ">") b.op = CmpOp::gt;
    if (op == ">=") b.op = CmpOp::ge;
    ev_.add(b);
    return true;
  }

  bool include_prerelease_;
  std::string z_;
  RangeEval& ev_;
};

// Reads `range` into `ev`; false when node-semver would throw.
bool read_range(std::string_view range, bool include_prerelease, const Version* v, RangeEval& ev) {
  if (FastReader(range, include_prerelease, ev).run()) return true;
  ev = RangeEval(v, include_prerelease);
  return ExactReader(include_prerelease, ev).run(range);
}

// The common `1.2.3[-pre][+build]`: the greedy first path of the LOOSE regex
// matches, so its captures are the obvious ones.
bool parse_plain_version(std::string_view r, Version& v) {
  size_t i = 0;
  uint64_t* fields[] = {&v.major, &v.minor, &v.patch};
  for (int f = 0; f < 3; ++f) {
    const size_t start = i;
    while (i < r.size() && is_digit(r[i])) *fields[f] = *fields[f] * 10 + static_cast<uint64_t>(r[i++] - '0');
    if (i == start || i - start > 15) return false;
    if (f < 2 && (i >= r.size() || r[i++] != '.')) return false;
  }
  const auto idents = [&](size_t& k) {
    for (;;) {
      const size_t id = k;
      while (k < r.size() && is_ident_char(r[k])) ++k;
      if (k == id || k - id > 250) return false;
      if (k >= r.size() || r[k] != '.') return true;
      ++k;
    }
  };
  if (i < r.size() && r[i] == '-') {
    const size_t start = ++i;
    if (!idents(i)) return false;
    v.prerelease = r.substr(start, i - start);
  }
  if (i < r.size() && r[i] == '+' && !idents(++i)) return false;
  return i == r.size();
}

}  // namespace

std::optional<Version> parse_version(std::string_view text) {
  if (utf16_length(text) > kMaxVersionLength) return std::nullopt;
  std::string_view r = js_trim(text);
  // LOOSE starts with `[v=\s]*`; none of those can begin the number after
  // it, so skipping them here is what the regex does (Unicode spaces too).
  while (!r.empty()) {
    const size_t k = r[0] == 'v' || r[0] == '=' ? 1 : js_space_at(r, 0);
    if (k == 0) break;
    r.remove_prefix(k);
  }
  if (r.empty() || !is_digit(r[0])) return std::nullopt;
  Version v;
  if (parse_plain_version(r, v)) return v;
  v = Version();
  Regex::Match m;
  if (!patterns().loose.search(r, m)) return std::nullopt;
  if (!safe_integer(m.group(r, 1), v.major) || !safe_integer(m.group(r, 2), v.minor) ||
      !safe_integer(m.group(r, 3), v.patch)) {
    return std::nullopt;
  }
  v.prerelease = m.group(r, 4);
  return v;
}

int compare_versions(const Version& a, const Version& b) {
  if (int c = compare_triples(a.major, a.minor, a.patch, b.major, b.minor, b.patch)) return c;
  return compare_prerelease(a.prerelease, b.prerelease);
}

bool satisfies(std::string_view version, std::string_view range, bool include_prerelease) {
  const std::optional<Version> v = parse_version(version);
  if (!v) return false;
  RangeEval ev(&*v, include_prerelease);
  return read_range(range, include_prerelease, &*v, ev) && ev.matches();
}

bool is_valid_range(std::string_view range) {
  RangeEval ev(nullptr, false);
  return read_range(range, false, nullptr, ev) && ev.valid();
}

}  // namespace lockcut
