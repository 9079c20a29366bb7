// ignore.cc: a port of minimatch 10 (with ignore-walk's options) for npm's packer.
//
// See ignore.h for what and why. The structure follows minimatch's index.js
// so the two read side by side: braceExpand (brace-expansion 5) ->
// slashSplit -> levelOneOptimize -> parse each segment (ignore_segment.cc,
// minimatch's ast.js), then match() -> matchOne() -> #matchGlobstar() and
// #matchGlobStarBodySections(), whose quirks (a tri-state result, the
// section bounds it computes) are kept as they are.
#include "lockcut/ignore.h"

#include "ignore_segment.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <span>
#include <utility>

namespace lockcut {

namespace {

using ignore_detail::next_cp;
using ignore_detail::Segment;
using Kind = Segment::Kind;

// ---- brace-expansion 5 (balanced-match 3) ----------------------------------

constexpr char kEscSlash = '\x01', kEscOpen = '\x02', kEscClose = '\x03', kEscComma = '\x04',
               kEscPeriod = '\x05';
constexpr size_t kExpansionMax = 100000;

long find_from(const std::string& s, char c, long from) {
  size_t p = s.find(c, static_cast<size_t>(std::max(from, 0L)));
  return p == std::string::npos ? -1 : static_cast<long>(p);
}

struct Balanced {
  std::string pre, body, post;
};

// balanced('{', '}', str): the first balanced brace pair, as balanced-match finds it
std::optional<Balanced> balanced(const std::string& str) {
  long ai = find_from(str, '{', 0), bi = find_from(str, '}', ai + 1), i = ai;
  if (ai < 0 || bi <= 0) return std::nullopt;
  std::vector<long> begs;
  long left = static_cast<long>(str.size()), right = -1, start = -1, end = -1;
  while (i >= 0 && start < 0) {
    if (i == ai) {
      begs.push_back(i);
      ai = find_from(str, '{', i + 1);
    } else if (begs.size() == 1) {
      start = begs.back();
      end = bi;
      begs.pop_back();
    } else {
      if (!begs.empty()) {
        long beg = begs.back();
        begs.pop_back();
        if (beg < left) left = beg, right = bi;
      }
      bi = find_from(str, '}', i + 1);
    }
    i = ai < bi && ai >= 0 ? ai : bi;
  }
  if (!begs.empty() && right >= 0) start = left, end = right;
  if (start < 0) return std::nullopt;
  return Balanced{str.substr(0, start), str.substr(start + 1, end - start - 1), str.substr(end + 1)};
}

std::vector<std::string> split_on(const std::string& s, std::string_view sep) {
  std::vector<std::string> out;
  size_t i = 0;
  for (size_t j; (j = s.find(sep, i)) != std::string::npos; i = j + sep.size()) out.push_back(s.substr(i, j - i));
  out.push_back(s.substr(i));
  return out;
}

std::vector<std::string> parse_comma_parts(const std::string& str) {
  if (str.empty()) return {""};
  auto m = balanced(str);
  if (!m) return split_on(str, ",");
  std::vector<std::string> p = split_on(m->pre, ",");
  p.back() += "{" + m->body + "}";
  std::vector<std::string> post = parse_comma_parts(m->post);
  if (!m->post.empty()) {
    p.back() += post[0];
    p.insert(p.end(), post.begin() + 1, post.end());
  }
  return p;
}

bool all_digits(std::string_view s, size_t from = 0) {
  if (from < s.size() && s[from] == '-') ++from;
  if (from >= s.size()) return false;
  return std::all_of(s.begin() + from, s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

void combine(std::vector<std::string>& acc, const std::string& pre,
             const std::vector<std::string>& values, bool drop_empties) {
  std::vector<std::string> out;
  for (const auto& a : acc) {
    for (const auto& v : values) {
      if (out.size() >= kExpansionMax) return void(acc = std::move(out));
      std::string e = a + pre + v;
      if (drop_empties && e.empty()) continue;
      out.push_back(std::move(e));
    }
  }
  acc = std::move(out);
}

std::vector<std::string> expand_sequence(const std::string& body, bool alpha) {
  std::vector<std::string> n = split_on(body, "..");
  auto numeric = [](const std::string& s) {
    return all_digits(s) ? std::strtoll(s.c_str(), nullptr, 10) : static_cast<long long>(s[0]);
  };
  long long x = numeric(n[0]), y = numeric(n[1]);
  size_t width = std::max(n[0].size(), n[1].size());
  long long incr = n.size() == 3 ? std::max(std::llabs(numeric(n[2])), 1LL) : 1;
  bool reverse = y < x;
  if (reverse) incr = -incr;
  bool pad = std::any_of(n.begin(), n.end(), [](const std::string& e) {
    size_t k = !e.empty() && e[0] == '-' ? 1 : 0;
    return e.size() >= k + 2 && e[k] == '0' && e[k + 1] >= '0' && e[k + 1] <= '9';
  });
  std::vector<std::string> out;
  for (long long i = x; (reverse ? i >= y : i <= y) && out.size() < kExpansionMax; i += incr) {
    std::string c;
    if (alpha) {
      if (i != '\\') c = std::string(1, static_cast<char>(i));
    } else {
      c = std::to_string(i);
      if (pad && c.size() < width) {
        std::string z(width - c.size(), '0');
        c = i < 0 ? "-" + z + c.substr(1) : z + c;
      }
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<std::string> expand_(std::string str, bool is_top) {
  std::vector<std::string> acc{""};
  bool drop_empties = false, first_group = true;
  for (;;) {
    auto m = balanced(str);
    if (!m) {
      combine(acc, str, {""}, drop_empties);
      return acc;
    }
    if (!m->pre.empty() && m->pre.back() == '$') {
      combine(acc, m->pre + "{" + m->body + "}", {""}, drop_empties && m->post.empty());
      first_group = false;
      if (m->post.empty()) break;
      str = m->post;
      continue;
    }
    const std::string& b = m->body;
    size_t dd = b.find("..");
    bool numeric_seq = false, alpha_seq = false;
    if (dd != std::string::npos) {
      std::vector<std::string> n = split_on(b, "..");
      bool third = n.size() == 3 && all_digits(n[2]);
      numeric_seq = (n.size() == 2 || third) && all_digits(n[0]) && all_digits(n[1]);
      alpha_seq = (n.size() == 2 || third) && n[0].size() == 1 && n[1].size() == 1 &&
                  is_alpha(n[0][0]) && is_alpha(n[1][0]);
    }
    bool is_sequence = numeric_seq || alpha_seq;
    if (!is_sequence && b.find(',') == std::string::npos) {
      // {a},b}: the post holds a comma set that closes later
      size_t c = m->post.find(',');
      bool later = false;
      for (; c != std::string::npos && !later; c = m->post.find(',', c + 1)) {
        later = (c + 1 >= m->post.size() || m->post[c + 1] != ',') &&
                m->post.find('}', c + 1) != std::string::npos;
      }
      if (later) {
        str = m->pre + "{" + b + kEscClose + m->post;
        is_top = true;
        continue;
      }
      combine(acc, m->pre + "{" + b + "}" + m->post, {""}, drop_empties);
      return acc;
    }
    if (first_group) {
      drop_empties = is_top && !is_sequence;
      first_group = false;
    }
    std::vector<std::string> values;
    if (is_sequence) {
      values = expand_sequence(b, alpha_seq);
    } else {
      std::vector<std::string> n = parse_comma_parts(b);
      if (n.size() == 1) {
        n = expand_(n[0], false);
        for (auto& e : n) e = "{" + e + "}";
        if (n.size() == 1) {
          combine(acc, m->pre + n[0], {""}, drop_empties && m->post.empty());
          if (m->post.empty()) break;
          str = m->post;
          continue;
        }
      }
      bool drops = drop_empties && m->post.empty() && m->pre.empty() &&
                   std::all_of(acc.begin(), acc.end(), [](const std::string& a) { return a.empty(); });
      for (const auto& part : n) {
        for (auto& v : expand_(part, false)) {
          if (drops && v.empty()) continue;
          if (values.size() >= kExpansionMax) break;
          values.push_back(std::move(v));
        }
      }
    }
    combine(acc, m->pre, values, drop_empties && m->post.empty());
    if (m->post.empty()) break;
    str = m->post;
  }
  return acc;
}

// ---- minimatch ------------------------------------------------------------

using Pattern = std::vector<Segment>;

std::vector<std::string_view> slash_split(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  for (size_t j; (j = s.find('/', i)) != std::string_view::npos;) {
    out.push_back(s.substr(i, j - i));
    i = s.find_first_not_of('/', j);
    if (i == std::string_view::npos) i = s.size();
  }
  out.push_back(s.substr(i));
  return out;
}

// #matchOne: file[fi..] against pattern[pi..], segment by segment
bool match_one(std::span<const std::string_view> file, std::span<const Segment> pat, bool partial,
               size_t fi, size_t pi) {
  for (; fi < file.size() && pi < pat.size(); ++fi, ++pi) {
    if (pat[pi].kind == Kind::globstar || !ignore_detail::test(pat[pi], file[fi])) return false;
  }
  if (fi == file.size() && pi == pat.size()) return true;
  if (fi == file.size()) return partial;
  return pi == pat.size() && fi == file.size() - 1 && file[fi].empty();
}

bool bad_dots(std::string_view f) { return f == "." || f == ".."; }

struct BodySection {
  std::span<const Segment> body;
  long after;
};

// #matchGlobStarBodySections: 0 false, 1 true, 2 "stop trying" (null)
int match_sections(std::span<const std::string_view> file, const std::vector<BodySection>& secs,
                   size_t fi, size_t bi, bool partial, int depth, bool saw_tail) {
  if (bi == secs.size()) {
    for (; fi < file.size(); ++fi) {
      saw_tail = true;
      if (bad_dots(file[fi])) return 0;
    }
    return saw_tail;
  }
  const BodySection& bs = secs[bi];
  for (; static_cast<long>(fi) <= bs.after; ++fi) {
    size_t cut = std::min(file.size(), fi + bs.body.size());
    if (match_one(file.first(cut), bs.body, partial, fi, 0) && depth < 200) {
      int sub = match_sections(file, secs, fi + bs.body.size(), bi + 1, partial, depth + 1, saw_tail);
      if (sub != 0) return sub;
    }
    if (fi < file.size() && bad_dots(file[fi])) return 0;
  }
  return partial ? 1 : 2;
}

// #matchGlobstar
bool match_globstar(std::span<const std::string_view> file, std::span<const Segment> pat, bool partial) {
  auto is_gs = [](const Segment& s) { return s.kind == Kind::globstar; };
  size_t first = std::find_if(pat.begin(), pat.end(), is_gs) - pat.begin();
  size_t last = pat.size() - 1 - (std::find_if(pat.rbegin(), pat.rend(), is_gs) - pat.rbegin());
  std::span<const Segment> head = pat.first(first);
  std::span<const Segment> body = partial ? pat.subspan(first + 1)
                                 : pat.subspan(first + 1, last > first ? last - first - 1 : 0);
  std::span<const Segment> tail = partial ? std::span<const Segment>() : pat.subspan(last + 1);
  size_t fi = 0;
  if (!head.empty()) {
    if (!match_one(file.first(std::min(file.size(), head.size())), head, partial, 0, 0)) return false;
    fi += head.size();
  }
  size_t tail_match = 0;
  if (!tail.empty()) {
    if (tail.size() + fi > file.size()) return false;
    size_t tail_start = file.size() - tail.size();
    if (match_one(file, tail, partial, tail_start, 0)) {
      tail_match = tail.size();
    } else {
      if (!file.back().empty() || fi + tail.size() == file.size()) return false;
      if (!match_one(file, tail, partial, tail_start - 1, 0)) return false;
      tail_match = tail.size() + 1;
    }
  }
  if (body.empty()) {
    bool saw_some = tail_match != 0;
    for (size_t i = fi; i + tail_match < file.size(); ++i) {
      saw_some = true;
      if (bad_dots(file[i])) return false;
    }
    return partial || saw_some;
  }
  std::vector<BodySection> secs;
  std::vector<long> sums{0};
  size_t begin = 0, non_gs = 0;
  for (size_t k = 0; k <= body.size(); ++k) {
    if (k == body.size() || is_gs(body[k])) {
      secs.push_back({body.subspan(begin, k - begin), 0});
      if (k < body.size()) sums.push_back(static_cast<long>(non_gs));
      begin = k + 1;
    } else {
      ++non_gs;
    }
  }
  long file_length = static_cast<long>(file.size() - tail_match);
  for (size_t k = 0; k < secs.size(); ++k) {
    secs[k].after = file_length - (sums[secs.size() - 1 - k] + static_cast<long>(secs[k].body.size()));
  }
  return match_sections(file, secs, fi, 0, partial, 0, tail_match != 0) == 1;
}

// JavaScript's String.prototype.trim on UTF-8
std::string_view js_trim(std::string_view s) {
  auto space_at = [](std::string_view t, size_t i) -> size_t {  // bytes of a space at i, or 0
    unsigned char c = static_cast<unsigned char>(t[i]);
    if (c == ' ' || (c >= '\t' && c <= '\r')) return 1;
    if (c < 0x80) return 0;
    size_t j = i;
    char32_t cp = next_cp(t, j);
    bool sp = ignore_detail::is_space_separator(cp) || cp == 0x2028 || cp == 0x2029 || cp == 0xFEFF;
    return sp ? j - i : 0;
  };
  while (!s.empty()) {
    size_t n = space_at(s, 0);
    if (!n) break;
    s.remove_prefix(n);
  }
  while (!s.empty()) {
    size_t i = s.size() - 1;
    while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
    size_t n = space_at(s, i);
    if (!n || i + n != s.size()) break;
    s.remove_suffix(n);
  }
  return s;
}

}  // namespace

struct IgnoreRule::Impl {
  bool comment = false, empty = false, negate = false, relative = false;
  std::vector<Pattern> set;
};

IgnoreRule::IgnoreRule(std::string_view pattern) {
  auto impl = std::make_shared<Impl>();
  if (pattern.starts_with('#')) impl->comment = true;
  else if (pattern.empty()) impl->empty = true;
  if (impl->comment || impl->empty) {
    impl_ = std::move(impl);
    return;
  }
  size_t bangs = pattern.find_first_not_of('!');
  if (bangs == std::string_view::npos) bangs = pattern.size();
  impl->negate = bangs % 2 == 1;
  std::vector<std::string> globs = brace_expand(pattern.substr(bangs));
  std::vector<std::string> seen;
  for (const std::string& g : globs) {
    if (std::find(seen.begin(), seen.end(), g) != seen.end()) continue;
    seen.push_back(g);
    // levelOneOptimize: drop repeated `**`, fold `x/..`
    std::vector<std::string_view> parts;
    for (std::string_view part : slash_split(g)) {
      std::string_view prev = parts.empty() ? std::string_view() : parts.back();
      if (part == "**" && prev == "**") continue;
      if (part == ".." && !prev.empty() && prev != ".." && prev != "." && prev != "**") {
        parts.pop_back();
        continue;
      }
      parts.push_back(part);
    }
    if (parts.empty()) parts.emplace_back();
    impl->relative = impl->relative || parts.size() <= (parts.back().empty() ? 2u : 1u);
    Pattern pat;
    for (std::string_view part : parts) pat.push_back(ignore_detail::parse_segment(part));
    impl->set.push_back(std::move(pat));
  }
  impl_ = std::move(impl);
}

bool IgnoreRule::negate() const { return impl_->negate; }
bool IgnoreRule::relative() const { return impl_->relative; }

MatchPath::MatchPath(std::string_view path) : raw_(path), parts_(slash_split(path)) {
  for (size_t i = parts_.size(); i-- > 0 && filename_.empty();) filename_ = parts_[i];
}

bool IgnoreRule::match(const MatchPath& path, bool partial) const {
  const Impl& m = *impl_;
  if (m.comment) return false;
  if (m.empty) return path.raw_.empty();
  if (path.raw_ == "/" && partial) return true;
  for (const Pattern& pat : m.set) {
    std::span<const std::string_view> f = path.parts_;
    if (pat.size() == 1) f = std::span<const std::string_view>(&path.filename_, 1);  // matchBase
    bool gs = std::any_of(pat.begin(), pat.end(), [](const Segment& s) { return s.kind == Kind::globstar; });
    if (gs ? match_globstar(f, pat, partial) : match_one(f, pat, partial, 0, 0)) return true;
  }
  return false;
}

std::vector<IgnoreRule> parse_ignore_rules(std::string_view text) {
  std::vector<IgnoreRule> rules;
  size_t i = 0;
  while (i <= text.size()) {
    size_t j = text.find('\n', i);
    if (j == std::string_view::npos) j = text.size();
    std::string_view line = js_trim(text.substr(i, j - i));
    if (!line.empty() && line[0] != '#') rules.emplace_back(line);
    i = j + 1;
  }
  return rules;
}

std::vector<std::string> brace_expand(std::string_view pattern) {
  // minimatch expands only when some `{` comes before some `}`
  size_t open = pattern.find('{');
  if (open == std::string_view::npos || pattern.find('}', open) == std::string_view::npos) {
    return {std::string(pattern)};
  }
  std::string str(pattern);
  if (str.starts_with("{}")) str = "\\{\\}" + str.substr(2);
  std::string esc;
  for (size_t i = 0; i < str.size(); ++i) {
    if (str[i] == '\\' && i + 1 < str.size() && str[i + 1] == '\\') esc += kEscSlash, ++i;
    else esc += str[i];
  }
  std::string escaped;
  for (size_t i = 0; i < esc.size(); ++i) {
    size_t k = i + 1 < esc.size() && esc[i] == '\\' ? std::string_view("{},.").find(esc[i + 1])
                                                     : std::string_view::npos;
    if (k != std::string_view::npos) escaped += "\x02\x03\x04\x05"[k], ++i;
    else escaped += esc[i];
  }
  std::vector<std::string> out = expand_(escaped, true);
  for (std::string& s : out) {
    for (char& c : s) {
      if (c == kEscSlash) c = '\\';
      else if (c == kEscOpen) c = '{';
      else if (c == kEscClose) c = '}';
      else if (c == kEscComma) c = ',';
      else if (c == kEscPeriod) c = '.';
    }
  }
  return out;
}

}  // namespace lockcut
