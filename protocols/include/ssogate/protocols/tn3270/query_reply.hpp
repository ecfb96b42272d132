#pragma once
// The terminal's answer to WSF Read Partition Query / Query List (GA23-0059 chapter 6): AID 88,
// then one Query Reply structured field per capability, each `length(2) 81 qcode data`.
//
// Replies, for every configuration: Summary (80), Usable Area (81: the alternate size, 12/14-bit
// addressing), Implicit Partition (A6: 24x80 default, the alternate size). With `extended` also:
// Character Sets (85: base set CGCSGID 697 + the code page, and the APL set for Graphic Escape),
// Color (86: 16 colours on a 3279; on a 3278 the same list mapped to the default, as x3270
// does), Highlighting (87: blink, reverse, underscore, intensify) and Reply Modes (88: field,
// extended field, character). No DDM (no IND$FILE), no RPQ names, no DBCS.
#include <ssogate/protocols/tn3270/screen_config.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace ssogate::protocols::tn3270 {

/// The qcodes this terminal answers, in the order it sends them (Summary first).
[[nodiscard]] std::vector<std::uint8_t> supported_qcodes(const screen_config& cfg);

/// The inbound record (no IAC EOR) answering Read Partition Query: every supported reply.
[[nodiscard]] std::vector<std::byte> query_reply(const screen_config& cfg);

/// The answer to Read Partition Query List. `request_type` read_partition::all or equivalent:
/// every supported reply. read_partition::list: those in `qcodes` this terminal supports, in its
/// own order, or a single Null reply (FF) when it supports none of them. Any other type: as all.
[[nodiscard]] std::vector<std::byte> query_reply(const screen_config& cfg,
                                                 std::uint8_t request_type,
                                                 std::span<const std::uint8_t> qcodes);

}  // namespace ssogate::protocols::tn3270
