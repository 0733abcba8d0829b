// Bearer-token check for the admin endpoint ("Authorization: Bearer <token>").
#pragma once

#include <string_view>

namespace warren::admin {

// True when `authorization` is "Bearer <token>" with exactly `token` (scheme
// case-insensitive, as RFC 7235 says). The comparison takes the same time wherever the
// first difference is, so that the token cannot be guessed byte by byte from timings.
bool bearerTokenMatches(std::string_view authorization, std::string_view token);

// Compares all of `a` against all of `b` without an early exit.
bool constantTimeEquals(std::string_view a, std::string_view b);

}  // namespace warren::admin
