// ignore_segment.h: one path segment of a minimatch pattern (internal to ignore.cc).
//
// minimatch splits a pattern on `/` and compiles each segment on its own
// (ast.js, brace-expressions.js); ignore.cc then matches a path segment by
// segment. This is the per-segment half, kept apart so each file stays one
// concept.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace lockcut::ignore_detail {

struct Program;

/// One segment as minimatch's parse() returns it: `**`, a plain string, one
/// of its fast tests (which replace the RegExp's own test), or a program.
struct Segment {
  enum class Kind : uint8_t { text, globstar, star, star_ext, qmarks, star_dot_star, dot_star, program };
  Kind kind = Kind::text;
  std::string text = {};  ///< text: the exact name; star_ext/qmarks: lowercased extension
  size_t length = 0;      ///< qmarks: the pattern's length in code points
  std::shared_ptr<const Program> program = {};
};

/// Compiles one segment with minimatch's options { dot, nocase }.
Segment parse_segment(std::string_view part);

/// Whether the path segment `name` matches (never true for `**`).
bool test(const Segment& segment, std::string_view name);

/// Decodes the code point of UTF-8 at `i` and moves past it; a stray byte
/// stands for itself (as 0xDC00 + byte, a lone surrogate).
char32_t next_cp(std::string_view s, size_t& i);

/// Space separators (\p{Zs}), which JavaScript's trim also removes.
bool is_space_separator(char32_t c);

}  // namespace lockcut::ignore_detail
