// entry_cache_test.cc: looking members up in a package's record
// (engine/entry_cache.cc). Storing, sealing and rebuilding records is
// covered end to end in incremental_test.cc.
#include "lockcut/entry_cache.h"

#include <gtest/gtest.h>

namespace lockcut {
namespace {

EntryRecord record_of(std::initializer_list<std::string_view> paths) {
  EntryRecord r;
  for (std::string_view p : paths) {
    CachedEntry e;
    e.path = p;
    r.entries.push_back(e);
  }
  return r;
}

TEST(EntryRecord, FindWithAHintFollowsTheStoredOrder) {
  EntryRecord r = record_of({"a.js", "lib/b.js", "lib/c.js", "package.json"});
  size_t hint = 0;
  for (size_t i = 0; i < r.entries.size(); ++i) {
    const CachedEntry* c = r.find(r.entries[i].path, hint);
    ASSERT_EQ(c, &r.entries[i]);
    EXPECT_EQ(hint, i + 1);
  }
}

TEST(EntryRecord, FindWithAWrongHintStillFindsTheMember) {
  EntryRecord r = record_of({"a.js", "lib/b.js", "lib/c.js", "package.json"});
  size_t hint = 3;  // points at package.json
  EXPECT_EQ(r.find("lib/b.js", hint), &r.entries[1]);
  EXPECT_EQ(hint, 2u);
  hint = 99;  // past the end
  EXPECT_EQ(r.find("a.js", hint), &r.entries[0]);
  EXPECT_EQ(hint, 1u);
}

TEST(EntryRecord, FindWithAHintMissesWhatIsNotThere) {
  EntryRecord r = record_of({"a.js", "lib/b.js"});
  size_t hint = 1;
  EXPECT_EQ(r.find("lib/a.js", hint), nullptr);
  EXPECT_EQ(hint, 1u);  // left where it was
  EXPECT_EQ(r.find("lib/b.js", hint), &r.entries[1]);
}

}  // namespace
}  // namespace lockcut
