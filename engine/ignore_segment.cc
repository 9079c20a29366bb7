// ignore_segment.cc: one path segment of a minimatch pattern, compiled and matched.
//
// See ignore_segment.h. A port of minimatch 10's ast.js and
// brace-expressions.js with the options npm's packer uses (dot, nocase).
// minimatch parses a segment into an AST of text and extglobs, rewrites it
// (#flatten merges nested extglobs, #fillNegs copies what follows a
// `!(...)` into it) and prints a JavaScript RegExp; here the same AST is
// compiled into a small node list matched by backtracking on code points.
// The fast tests minimatch installs for `*`, `*.ext`, `???`, `*.*`, `.*`
// are kept: they replace the RegExp and differ from it (`*\.js` looks for a
// literal backslash). Not ported: case folding beyond ASCII, and the exact
// Unicode sets of the POSIX classes (ASCII-exact, approximate above); and
// one minimatch bug: an escaped `\|` reaches its RegExp unescaped and splits
// it (`\|a` matches every name), here it is a literal `|`.
#include "ignore_segment.h"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <utility>
#include <vector>

namespace lockcut::ignore_detail {

using Kind = Segment::Kind;

char32_t next_cp(std::string_view s, size_t& i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (n == 1) return ++i, c;
  if (n == 0 || i + n > s.size()) return ++i, 0xDC00 + c;
  char32_t cp = c & (0x7F >> n);
  for (size_t k = 1; k < n; ++k) {
    unsigned char cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return ++i, 0xDC00 + c;
    cp = (cp << 6) | (cc & 0x3F);
  }
  i += n;
  return cp;
}

bool is_space_separator(char32_t c) {
  return c == ' ' || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x202F ||
         c == 0x205F || c == 0x3000;
}

namespace {

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// POSIX class names, in minimatch's order; graph is the one stored negated
// (`[^\p{Z}\p{C}]`), and print is \p{C} as minimatch writes it.
constexpr std::string_view kPosix[] = {"[:alnum:]", "[:alpha:]", "[:ascii:]", "[:blank:]",
                                       "[:cntrl:]", "[:digit:]", "[:graph:]", "[:lower:]",
                                       "[:print:]", "[:punct:]", "[:space:]", "[:upper:]",
                                       "[:word:]",  "[:xdigit:]"};
enum Posix : uint16_t { kGraph = 6 };

bool is_letter(char32_t c) {
  if (c < 0x80) return is_alpha(static_cast<char>(c));
  return c >= 0xC0 && c != 0xD7 && c != 0xF7 && !(c >= 0x2000 && c <= 0x2BFF) &&
         !(c >= 0x3000 && c <= 0x303F) && !(c >= 0xD800 && c <= 0xF8FF) && c < 0xFE00;
}
bool is_zs(char32_t c) { return is_space_separator(c); }
bool is_other(char32_t c) {  // \p{C}
  return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0xAD || (c >= 0x200B && c <= 0x200F) ||
         (c >= 0x202A && c <= 0x202E) || (c >= 0x2060 && c <= 0x2064) || c == 0xFEFF ||
         (c >= 0xD800 && c <= 0xF8FF);
}
// Latin, Greek, Cyrillic letters: under nocase \p{Lu} and \p{Ll} take both cases
bool cased(char32_t c) { return c >= 0xC0 && c < 0x530 && is_letter(c); }
bool posix_has(int cls, char32_t c) {
  bool digit = c >= '0' && c <= '9';
  switch (cls) {
    case 0: return is_letter(c) || digit;
    case 1: return is_letter(c);
    case 2: return c < 0x80;
    case 3: return is_zs(c) || c == '\t';
    case 4: return c < 0x20 || (c >= 0x7F && c <= 0x9F);
    case 5: return digit;
    case kGraph: return is_zs(c) || c == 0x2028 || c == 0x2029 || is_other(c);
    case 7: return (c >= 'a' && c <= 'z') || cased(c);
    case 8: return is_other(c);
    case 9: return c < 0x80 && std::string_view("!\"#%&'()*,-./:;?@[\\]_{}").find(char(c)) != std::string_view::npos;
    case 10: return is_zs(c) || c == 0x2028 || c == 0x2029 || (c >= '\t' && c <= '\r');
    case 11: return (c >= 'A' && c <= 'Z') || cased(c);
    case 12: return is_letter(c) || digit || c == '_';
    default: return digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }
}

char32_t fold(char32_t c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }
char32_t unfold(char32_t c) { return c >= 'a' && c <= 'z' ? c - 32 : c; }



struct CharClass {
  std::vector<std::pair<char32_t, char32_t>> ranges;
  uint16_t posix = 0;      // POSIX classes among the ranges
  bool graph = false;      // [:graph:], kept apart as minimatch does
  bool negate = false;
  bool has_ranges = false;

  bool in_ranges(char32_t c) const {
    for (auto [lo, hi] : ranges) if (c >= lo && c <= hi) return true;
    for (int k = 0; k < 14; ++k) if ((posix >> k) & 1 && posix_has(k, c)) return true;
    return false;
  }
  // `[ranges]`, `[^negs]` or `([ranges]|[^negs])`, each case-insensitive
  bool test(char32_t c) const {
    auto any_case = [&](auto pred) { return pred(c) || pred(fold(c)) || pred(unfold(c)); };
    if (has_ranges && (any_case([&](char32_t x) { return in_ranges(x); }) != negate)) return true;
    return graph && (any_case([&](char32_t x) { return posix_has(kGraph, x); }) == negate);
  }
};

enum class Op : uint8_t { chr, any, star, star_plus, cls, never, ext, no_dots };
struct Node {
  Op op;
  char32_t ch = 0;     // chr
  uint32_t index = 0;  // cls: into classes; ext: into exts
};
using Seq = std::vector<Node>;
struct Ext {
  char type;  // one of ! ? + * @
  std::vector<Seq> alts;
};
}  // namespace

// One compiled segment: its nodes, extglobs and character classes.
struct Program {
  Seq root;
  std::vector<Ext> exts;
  std::vector<CharClass> classes;
};

namespace {

// minimatch's parseClass from `[` at pos: appends the node, returns the
// characters consumed (0: not a class, `[` is literal)
size_t parse_class(std::string_view glob, size_t pos, Program& prog, Seq& out) {
  CharClass cls;
  size_t i = pos + 1, end_pos = pos, entries = 0;  // entries: minimatch's `ranges.length`
  bool saw_start = false, escaping = false;
  char32_t range_start = 0, first_single = 0;  // 0: none (a NUL never reaches a glob)
  auto add = [&](char32_t lo, char32_t hi, bool single) {
    if (entries++ == 0 && single) first_single = lo;
    cls.ranges.emplace_back(lo, hi);
    cls.has_ranges = true;
  };
  while (i < glob.size()) {
    char c = glob[i];
    if ((c == '!' || c == '^') && i == pos + 1) {
      cls.negate = true, ++i;
      continue;
    }
    if (c == ']' && saw_start && !escaping) {
      end_pos = i + 1;
      break;
    }
    saw_start = true;
    if (c == '\\' && !escaping) {
      escaping = true, ++i;
      continue;
    }
    if (c == '[' && !escaping) {
      int k = 0;
      while (k < 14 && glob.substr(i, kPosix[k].size()) != kPosix[k]) ++k;
      if (k < 14) {
        if (range_start) return out.push_back({Op::never}), glob.size() - pos;
        i += kPosix[k].size();
        if (k == kGraph) cls.graph = true;
        else cls.posix |= uint16_t(1u << k), cls.has_ranges = true, ++entries;
        continue;
      }
    }
    escaping = false;
    char32_t cp = next_cp(glob, i);
    if (range_start) {
      if (cp > range_start) add(range_start, cp, false);
      else if (cp == range_start) add(cp, cp, true);
      range_start = 0;
    } else if (glob.substr(i, 2) == "-]") {
      add(cp, cp, false), cls.ranges.emplace_back('-', '-'), ++i;
    } else if (i < glob.size() && glob[i] == '-') {
      range_start = cp, ++i;
    } else {
      add(cp, cp, true);
    }
  }
  if (end_pos < i) return 0;
  if (!cls.has_ranges && !cls.graph) return out.push_back({Op::never}), glob.size() - pos;
  if (!cls.graph && entries == 1 && first_single && !cls.negate) {
    out.push_back({Op::chr, first_single});  // `[_]` is just `_`
  } else {
    out.push_back({Op::cls, 0, static_cast<uint32_t>(prog.classes.size())});
    prog.classes.push_back(std::move(cls));
  }
  return end_pos - pos;
}

// minimatch AST.#parseGlob: one plain stretch of a segment
void parse_glob(std::string_view glob, bool no_empty, Program& prog, Seq& out) {
  bool escaping = false, in_star = false;
  bool all_stars = std::all_of(glob.begin(), glob.end(), [](char c) { return c == '*'; });
  for (size_t i = 0; i < glob.size();) {
    char c = glob[i];
    if (escaping) {
      escaping = false;
      out.push_back({Op::chr, next_cp(glob, i)});
      continue;
    }
    if (c == '*') {
      if (!in_star) out.push_back({no_empty && all_stars ? Op::star_plus : Op::star});
      in_star = true, ++i;
      continue;
    }
    in_star = false;
    if (c == '\\') {
      if (i == glob.size() - 1) out.push_back({Op::chr, '\\'});
      else escaping = true;
      ++i;
      continue;
    }
    if (c == '[') {
      if (size_t used = parse_class(glob, i, prog, out)) {
        i += used;
        continue;
      }
    }
    if (c == '?') {
      out.push_back({Op::any}), ++i;
      continue;
    }
    out.push_back({Op::chr, next_cp(glob, i)});
  }
}

bool is_ext_type(char c) { return c == '!' || c == '?' || c == '+' || c == '*' || c == '@'; }

// minimatch's AST of one segment: a plain sequence (type 0) of text and
// extglobs, or an extglob whose parts are its alternatives.
struct Ast {
  struct Part {
    std::string text;
    std::unique_ptr<Ast> kid;  // set for an AST part
  };
  char type = 0;
  std::vector<Part> parts;
  Ast* parent = nullptr;
  size_t parent_index = 0;  // parent's part count at construction, as in minimatch
  bool empty_ext = false;

  Ast(char t, Ast* p) : type(t), parent(p), parent_index(p ? p->parts.size() : 0) {}
  Ast* kid(size_t i) const { return parts[i].kid.get(); }
  void push(std::string s) {
    if (!s.empty()) parts.push_back({std::move(s), nullptr});
  }
  Ast* push(std::unique_ptr<Ast> k) {
    k->parent = this;
    parts.push_back({{}, std::move(k)});
    return parts.back().kid.get();
  }
  bool is_start() const {
    if (!parent) return true;
    if (!parent->is_start()) return false;
    for (size_t k = 0; k < parent_index && k < parent->parts.size(); ++k) {
      if (!parent->kid(k) || parent->kid(k)->type != '!') return false;
    }
    return true;
  }
  bool is_end() const {
    if (!parent || parent->type == '!') return true;
    if (!parent->is_end()) return false;
    return !type || parent_index + 1 == parent->parts.size();
  }
  std::string str() const {
    std::string s = type ? std::string(1, type) + "(" : "";
    for (size_t k = 0; k < parts.size(); ++k) {
      if (type && k) s += '|';
      s += parts[k].kid ? parts[k].kid->str() : parts[k].text;
    }
    return type ? s + ")" : s;
  }
};

// What a parse owns besides the tree: the `!(...)` nodes in creation order,
// and subtrees the rewrites dropped (still referenced from `negs`).
struct AstContext {
  std::vector<Ast*> negs;
  bool filled = false;
  std::vector<std::unique_ptr<Ast>> dropped;
  std::unique_ptr<Ast> make(char type, Ast* parent) {
    auto a = std::make_unique<Ast>(type, parent);
    if (type == '!' && !filled) negs.push_back(a.get());
    return a;
  }
};

// minimatch AST.#parseAST
size_t parse_ast(std::string_view str, Ast& ast, size_t pos, int depth, AstContext& cx) {
  bool escaping = false, in_brace = false, brace_neg = false;
  size_t brace_start = 0;
  // escapes and classes are carried over verbatim; true when `c` was taken
  auto verbatim = [&](char c, size_t i, std::string& acc) {
    if (escaping || c == '\\') return escaping = !escaping, acc += c, true;
    if (in_brace) {
      if (i == brace_start + 1) brace_neg = brace_neg || c == '^' || c == '!';
      else if (c == ']' && !(i == brace_start + 2 && brace_neg)) in_brace = false;
      return acc += c, true;
    }
    if (c == '[') return in_brace = true, brace_start = i, brace_neg = false, acc += c, true;
    return false;
  };
  std::string acc;
  size_t i = ast.type ? pos + 1 : pos;
  if (!ast.type) {
    while (i < str.size()) {
      char c = str[i++];
      if (verbatim(c, i, acc)) continue;
      if (is_ext_type(c) && i < str.size() && str[i] == '(' && depth <= 2) {
        ast.push(std::exchange(acc, {}));
        auto ext = cx.make(c, &ast);
        i = parse_ast(str, *ext, i, depth + 1, cx);
        ast.push(std::move(ext));
        continue;
      }
      acc += c;
    }
    ast.push(std::move(acc));
    return i;
  }
  std::vector<std::unique_ptr<Ast>> alts;
  auto part = cx.make(0, &ast);
  static constexpr std::string_view adopt_any[] = {"?@", "?@", "?@", "*+?@", "+@?*"};
  while (i < str.size()) {
    char c = str[i++];
    if (verbatim(c, i, acc)) continue;
    bool adopts = is_ext_type(c) && adopt_any[std::string_view("!?@*+").find(ast.type)].find(c) !=
                                        std::string_view::npos;
    if (is_ext_type(c) && i < str.size() && str[i] == '(' && (depth <= 2 || adopts)) {
      part->push(std::exchange(acc, {}));
      Ast* ext = part->push(cx.make(c, part.get()));
      i = parse_ast(str, *ext, i, depth + (adopts ? 0 : 1), cx);
      continue;
    }
    if (c == '|') {
      part->push(std::exchange(acc, {}));
      alts.push_back(std::exchange(part, cx.make(0, &ast)));
      continue;
    }
    if (c == ')') {
      ast.empty_ext = acc.empty();
      part->push(std::exchange(acc, {}));
      alts.push_back(std::move(part));
      for (auto& a : alts) ast.push(std::move(a));
      return i;
    }
    acc += c;
  }
  // an unfinished extglob is plain text from its type character on
  ast.type = 0;
  for (auto& a : alts) cx.dropped.push_back(std::move(a));
  cx.dropped.push_back(std::move(part));
  for (auto& p : ast.parts) {
    if (p.kid) cx.dropped.push_back(std::move(p.kid));
  }
  ast.parts.clear();
  ast.parts.push_back({std::string(str.substr(pos - 1)), nullptr});
  return i;
}

// minimatch's adoptionMap, adoptionWithSpaceMap and usurpMap
bool adopts(char parent, char kid) {
  static constexpr std::string_view sets[] = {"@", "?@", "@", "*+?@", "+@"};
  return sets[std::string_view("!?@*+").find(parent)].find(kid) != std::string_view::npos;
}
bool adopts_with_space(char parent, char kid) {
  return (parent == '!' || parent == '@') ? kid == '?' : parent == '+' && (kid == '?' || kid == '*');
}
char usurped_type(char parent, char kid) {
  if (parent == '!') return kid == '!' ? '@' : 0;
  if (parent == '?' || parent == '+') return kid == '*' || kid == (parent == '?' ? '+' : '?') ? '*' : 0;
  return parent == '@' ? kid : 0;
}

// The extglob that is the only part of alternative `child`, if any.
Ast* lone_ext(const Ast* child) {
  if (!child || child->type || child->parts.size() != 1) return nullptr;
  Ast* gc = child->kid(0);
  return gc && gc->type ? gc : nullptr;
}

// minimatch AST.#flatten: nested extglobs merged into their parents
void flatten(Ast& a, AstContext& cx) {
  if (!a.type) {
    for (auto& p : a.parts) {
      if (p.kid) flatten(*p.kid, cx);
    }
    return;
  }
  auto take_parts = [&](Ast* from) {
    std::vector<Ast::Part> moved = std::move(from->parts);
    for (auto& p : moved) {
      if (p.kid) p.kid->parent = &a;
    }
    return moved;
  };
  for (int pass = 0; pass < 10; ++pass) {
    bool done = true;
    for (size_t i = 0; i < a.parts.size(); ++i) {
      Ast* c = a.kid(i);
      if (!c) continue;
      flatten(*c, cx);
      Ast* gc = lone_ext(c);
      if (!gc) continue;
      if (adopts(a.type, gc->type) || adopts_with_space(a.type, gc->type)) {
        if (!adopts(a.type, gc->type)) {
          auto blank = std::make_unique<Ast>(0, gc);
          blank->parts.push_back({"", nullptr});  // an empty alternative
          gc->push(std::move(blank));
        }
        std::vector<Ast::Part> moved = take_parts(gc);
        cx.dropped.push_back(std::move(a.parts[i].kid));
        a.parts.erase(a.parts.begin() + static_cast<std::ptrdiff_t>(i));
        a.parts.insert(a.parts.begin() + static_cast<std::ptrdiff_t>(i),
                       std::make_move_iterator(moved.begin()), std::make_move_iterator(moved.end()));
        done = false;
      } else if (a.parts.size() == 1 && usurped_type(a.type, gc->type)) {
        char type = usurped_type(a.type, gc->type);
        std::vector<Ast::Part> moved = take_parts(gc);
        cx.dropped.push_back(std::move(a.parts[0].kid));
        a.parts = std::move(moved);
        a.type = type;
        a.empty_ext = false;
        done = false;
      }
    }
    if (done) break;
  }
}

void copy_in(Ast& dst, const Ast::Part& part);
std::unique_ptr<Ast> clone(const Ast& src, Ast* parent) {
  auto c = std::make_unique<Ast>(src.type, parent);
  for (const auto& p : src.parts) copy_in(*c, p);
  return c;
}
void copy_in(Ast& dst, const Ast::Part& part) {
  if (part.kid) dst.push(clone(*part.kid, &dst));
  else dst.push(part.text);
}

// minimatch AST.#fillNegs: each alternative of a `!(...)` gets a copy of what
// follows it in the plain sequences around it, so the look-ahead that
// refuses it sees the rest of the segment
void fill_negs(AstContext& cx) {
  cx.filled = true;
  while (!cx.negs.empty()) {
    Ast* n = cx.negs.back();
    cx.negs.pop_back();
    if (n->type != '!') continue;
    for (const Ast *p = n, *pp = n->parent; pp; p = pp, pp = pp->parent) {
      for (size_t i = p->parent_index + 1; !pp->type && i < pp->parts.size(); ++i) {
        for (auto& alt : n->parts) {
          if (alt.kid) copy_in(*alt.kid, pp->parts[i]);
        }
      }
    }
  }
}

void compile(const Ast& a, Program& prog, Seq& out) {
  if (!a.type) {
    bool no_empty = a.is_start() && a.is_end() &&
                    std::none_of(a.parts.begin(), a.parts.end(), [](auto& p) { return bool(p.kid); });
    Seq body;
    for (const auto& p : a.parts) {
      if (p.kid) compile(*p.kid, prog, body);
      else parse_glob(p.text, no_empty, prog, body);
    }
    // minimatch's startNoTraversal: a start whose RegExp source opens with
    // `[` (or `\.[`, `\.\.[`) may not match the names `.` and `..`
    if (a.is_start() && !a.parts.empty() && !a.parts[0].kid &&
        !(a.parts.size() == 1 && (a.parts[0].text == "." || a.parts[0].text == ".."))) {
      auto opens = [&](size_t k) {
        if (k >= body.size()) return false;
        Op op = body[k].op;
        if (op == Op::cls) return !(prog.classes[body[k].index].has_ranges && prog.classes[body[k].index].graph);
        return op == Op::any || op == Op::star || op == Op::star_plus;
      };
      auto dot = [&](size_t k) { return k < body.size() && body[k].op == Op::chr && body[k].ch == '.'; };
      if (opens(0) || (dot(0) && (opens(1) || (dot(1) && opens(2))))) out.push_back({Op::no_dots});
    }
    out.insert(out.end(), body.begin(), body.end());
    return;
  }
  bool whole = a.is_start() && a.is_end();
  Ext ext{a.type, {}};
  for (const auto& alt : a.parts) {
    Seq s;
    if (alt.kid) compile(*alt.kid, prog, s);
    if (!whole || !s.empty()) ext.alts.push_back(std::move(s));  // minimatch drops empty ones here
  }
  if (whole && ext.alts.empty() && a.type != '!') {
    // `@()` alone: minimatch falls back to the literal text
    std::string text = a.str();
    for (size_t i = 0; i < text.size();) out.push_back({Op::chr, next_cp(text, i)});
    return;
  }
  if (a.type == '!' && a.empty_ext) return out.push_back({Op::star_plus});
  out.push_back({Op::ext, 0, static_cast<uint32_t>(prog.exts.size())});
  prog.exts.push_back(std::move(ext));
}

// Continuation-passing backtracking over the nodes of one segment.
struct Cont {
  const Seq* seq;  // continue in seq at idx, or (seq == nullptr) repeat `ext`
  size_t idx;
  const Ext* ext;
  size_t start;  // where the last repetition began (empty ones are refused)
  const Cont* next;
};

class SegmentMatcher {
 public:
  SegmentMatcher(const Program& p, std::string_view s) : p_(p), s_(s) {}
  bool run(const Seq& seq, size_t idx, size_t pos, const Cont* k) const {
    for (; idx < seq.size(); ++idx) {
      const Node& n = seq[idx];
      switch (n.op) {
        case Op::chr:
        case Op::any:
        case Op::cls: {
          if (pos >= s_.size()) return false;
          char32_t c = next_cp(s_, pos);
          if (n.op == Op::chr && fold(c) != fold(n.ch)) return false;
          if (n.op == Op::cls && !p_.classes[n.index].test(c)) return false;
          break;
        }
        case Op::star:
        case Op::star_plus: {
          if (n.op == Op::star && run(seq, idx + 1, pos, k)) return true;
          while (pos < s_.size()) {
            next_cp(s_, pos);
            if (run(seq, idx + 1, pos, k)) return true;
          }
          return false;
        }
        case Op::never: return false;
        case Op::no_dots:
          if (pos == 0 && (s_ == "." || s_ == "..")) return false;
          break;
        case Op::ext: return run_ext(p_.exts[n.index], pos, Cont{&seq, idx + 1, nullptr, 0, k});
      }
    }
    return resume(k, pos);
  }

 private:
  bool resume(const Cont* k, size_t pos) const {
    if (!k) return pos == s_.size();
    if (k->seq) return run(*k->seq, k->idx, pos, k->next);
    if (pos == k->start) return false;
    return resume(k->next, pos) || alts(*k->ext, pos, Cont{nullptr, 0, k->ext, pos, k->next});
  }
  bool alts(const Ext& e, size_t pos, const Cont& k) const {
    for (const Seq& a : e.alts) {
      if (run(a, 0, pos, &k)) return true;
    }
    return false;
  }
  bool run_ext(const Ext& e, size_t pos, const Cont& after) const {
    switch (e.type) {
      case '@': return alts(e, pos, after);
      case '?': return resume(&after, pos) || alts(e, pos, after);
      case '*': return resume(&after, pos) || alts(e, pos, Cont{nullptr, 0, &e, pos, &after});
      case '+': {
        // the first repetition may be empty, later ones may not
        Cont again{nullptr, 0, &e, pos, &after};
        for (const Seq& a : e.alts) {
          if (run(a, 0, pos, &after) || run(a, 0, pos, &again)) return true;
        }
        return false;
      }
      default: {  // '!': no alternative (filled with the rest) may match to the end; then any text
        for (const Seq& a : e.alts) {
          if (run(a, 0, pos, nullptr)) return false;
        }
        for (size_t j = pos;; next_cp(s_, j)) {
          if (resume(&after, j)) return true;
          if (j >= s_.size()) return false;
        }
      }
    }
  }

  const Program& p_;
  std::string_view s_;
};

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(fold(static_cast<unsigned char>(c)));
  return out;
}
// `name.toLowerCase().endsWith(lowered)`, ASCII only
bool ends_with_nocase(std::string_view name, std::string_view lowered) {
  if (name.size() < lowered.size()) return false;
  name.remove_prefix(name.size() - lowered.size());
  for (size_t i = 0; i < name.size(); ++i) {
    if (fold(static_cast<unsigned char>(name[i])) != static_cast<unsigned char>(lowered[i])) return false;
  }
  return true;
}
size_t cp_count(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); ++n) next_cp(s, i);
  return n;
}

}  // namespace

// minimatch parse(): the fast tests first, as they replace the RegExp's test
Segment parse_segment(std::string_view p) {
  if (p == "**") return {Kind::globstar};
  if (p.empty()) return {Kind::text};
  auto magic_free = [](std::string_view s) { return s.find_first_of("+@!?*[(") == std::string_view::npos; };
  size_t stars = p.find_first_not_of('*'), qmarks = p.find_first_not_of('?');
  if (stars == std::string_view::npos) return {Kind::star};
  if (stars > 0 && magic_free(p.substr(stars))) return {Kind::star_ext, ascii_lower(p.substr(stars))};
  if (qmarks > 0 && (qmarks == std::string_view::npos || magic_free(p.substr(qmarks)))) {
    return {Kind::qmarks, ascii_lower(p.substr(std::min(qmarks, p.size()))), cp_count(p)};
  }
  if (stars > 0 && p[stars] == '.' && p.find_first_not_of('*', stars + 1) == std::string_view::npos &&
      stars + 1 < p.size()) {
    return {Kind::star_dot_star};
  }
  if (p.size() > 1 && p[0] == '.' && p.find_first_not_of('*', 1) == std::string_view::npos) {
    return {Kind::dot_star};
  }
  auto prog = std::make_shared<Program>();
  AstContext cx;
  Ast root(0, nullptr);
  parse_ast(p, root, 0, 0, cx);
  flatten(root, cx);
  fill_negs(cx);
  compile(root, *prog, prog->root);
  return {Kind::program, {}, 0, std::move(prog)};
}

bool test(const Segment& seg, std::string_view f) {
  bool dots = f == "." || f == "..";
  switch (seg.kind) {
    case Kind::text: return f == seg.text;
    case Kind::globstar: return false;
    case Kind::star: return !f.empty() && !dots;
    case Kind::star_ext: return ends_with_nocase(f, seg.text);
    case Kind::qmarks: return cp_count(f) == seg.length && !dots && ends_with_nocase(f, seg.text);
    case Kind::star_dot_star: return !dots && f.find('.') != std::string_view::npos;
    case Kind::dot_star: return !dots && f.starts_with('.');
    case Kind::program: return SegmentMatcher(*seg.program, f).run(seg.program->root, 0, 0, nullptr);
  }
  return false;
}

}  // namespace lockcut::ignore_detail
