#include <ssogate/credstore/secret_bytes.hpp>

#include <gtest/gtest.h>

#include <type_traits>

using ssogate::credstore::secret_bytes;

static_assert(!std::is_copy_constructible_v<secret_bytes>);
static_assert(!std::is_copy_assignable_v<secret_bytes>);
static_assert(std::is_nothrow_move_constructible_v<secret_bytes>);
static_assert(!std::is_convertible_v<secret_bytes, std::string>);
static_assert(!std::is_convertible_v<secret_bytes, std::string_view>);

TEST(SecretBytes, HoldsCopiesAndMoves) {
    auto s = secret_bytes::copy_of("hunter2");
    EXPECT_EQ(s.size(), 7u);
    EXPECT_EQ(s.reveal(), "hunter2");
    secret_bytes t = std::move(s);
    EXPECT_TRUE(s.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty
    EXPECT_EQ(t.reveal(), "hunter2");
    auto c = t.clone();
    EXPECT_TRUE(c == t);
    c.truncate(3);
    EXPECT_EQ(c.reveal(), "hun");
}

TEST(SecretBytes, ReleasedMemoryIsZeroedAndReused) {
    const std::byte* where = nullptr;
    {
        auto s = secret_bytes::copy_of("ABCDEFGHIJKLMNOP");
        where = s.data();
    }
    // The arena hands the same block out again: it must come back zeroed.
    secret_bytes again(16);
    if (again.data() == where) {
        for (auto b : again.bytes()) EXPECT_EQ(b, std::byte{0});
    }
}

TEST(SecretBytes, ManySizesIncludingLargeOnes) {
    for (std::size_t n : {1u, 31u, 32u, 33u, 4096u, 4097u, 100000u}) {
        secret_bytes s(n);
        EXPECT_EQ(s.size(), n);
        s.data()[n - 1] = std::byte{7};
        EXPECT_EQ(s.bytes().back(), std::byte{7});
    }
}
