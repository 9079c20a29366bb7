// ignore.h: ignore-file patterns matched exactly as npm's packer matches them.
//
// npm-packlist walks a package with ignore-walk, which compiles every line of
// .npmignore / .gitignore (and the rules npm-packlist synthesizes from
// package.json) with minimatch 10 and the options { matchBase, dot,
// flipNegate, nocase }. This is a port of that matcher with those options
// fixed: brace expansion (brace-expansion 5), `*`, `?`, `**`, character
// classes with POSIX names, extglobs `@(a|b)` `?()` `*()` `+()` `!()`,
// backslash escapes, leading `!` negation, `#` comments, case-insensitive
// (ASCII) matching, and minimatch's `partial` mode that ignore-walk uses to
// decide whether a folder may hold matching files.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace lockcut {

/// A path split into segments (on runs of `/`) as minimatch splits it, so
/// many rules can be matched against it. Holds views into `path`.
class MatchPath {
 public:
  explicit MatchPath(std::string_view path);

 private:
  friend class IgnoreRule;
  std::string_view raw_;
  std::vector<std::string_view> parts_;
  std::string_view filename_;  // the last non-empty segment (matchBase)
};

/// One compiled pattern: `new Minimatch(pattern, {matchBase, dot, flipNegate,
/// nocase})`. Cheap to copy (the compiled form is shared).
class IgnoreRule {
 public:
  /// Compiles a pattern as given (ignore-walk trims lines before this).
  explicit IgnoreRule(std::string_view pattern);

  /// True for a pattern with an odd number of leading `!`: a match includes.
  bool negate() const;

  /// ignore-walk's "relative rule" test: some brace alternative is a single
  /// path segment, or a single segment followed by `/`.
  bool relative() const;

  /// minimatch's `match(path, partial)` with flipNegate: true when the
  /// pattern (without its `!`) matches `path`. In partial mode a path that is
  /// a prefix of what the pattern could match also matches.
  bool match(std::string_view path, bool partial = false) const { return match(MatchPath(path), partial); }
  /// The same, for a path split once.
  bool match(const MatchPath& path, bool partial = false) const;

 private:
  struct Impl;
  std::shared_ptr<const Impl> impl_;
};

/// The rules of one ignore file, as ignore-walk reads it: lines split on
/// `\r?\n`, trimmed of whitespace (JavaScript's trim, BOM included), blank
/// lines and lines starting with `#` dropped.
std::vector<IgnoreRule> parse_ignore_rules(std::string_view text);

/// minimatch's brace expansion of a whole pattern (`a{b,c}` -> `ab`, `ac`;
/// `{1..3}`; nested sets; bash's quirks), exposed for tests.
std::vector<std::string> brace_expand(std::string_view pattern);

}  // namespace lockcut
