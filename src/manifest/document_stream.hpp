#pragma once
// The documents of a YAML stream in file order, parsed on two threads when the stream is
// large. Private to manifest/.
//
// yaml-cpp parses one stream on one thread, at about 7 MB/s; a 30 MB cluster is most of a
// load's time. A stream without directives (`%` lines), `...` lines or carriage returns is
// cut into pieces of many documents at document markers: lines that are exactly `---` or
// begin with `--- ` at column 0. Such a line cannot be inside a scalar (YAML forbids it in
// quoted ones, yaml-cpp rejects it there, and it ends plain and block scalars at column 0),
// and at a marker nothing of the documents before it carries over (no directives, anchors
// are per document), so each piece parses on its own to what a reading of the whole stream
// gives, lines offset by where the piece begins. (Each piece but the last is parsed with a
// `---` line after it, so that what is open at its end, a quoted scalar say, meets the
// marker as in the whole stream.) A worker thread parses pieces ahead while
// the calling thread parses pieces too and hands every document over in file order, so
// what the caller does with them (conversion, names, creation order, diagnostics) is the
// same as with one reader. At most `window` pieces are parsed and not yet handed over (a
// bound on memory). A piece with a syntax error is not trusted: from its first line on, the
// stream is read as one reader reads it, which stops at the same first syntax error with
// the same message, line and column.

#include <cstddef>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "manifest/yaml_dom.hpp"

namespace podhop::manifest::detail {

/// How a stream is read: on two threads from min_bytes on (in pieces of about chunk_bytes,
/// at most window of them parsed ahead), on one below.
struct StreamOptions {
  std::size_t min_bytes = std::size_t{1} << 20;
  std::size_t chunk_bytes = std::size_t{256} << 10;
  std::size_t window = 4;
};

/// Where text may be cut: the byte offsets at which the pieces begin (the first is 0) and
/// the 0-based line each begins on, pieces of at least chunk_bytes (but the last). One
/// piece when the text has directives, `...` lines, carriage returns, NUL bytes or a UTF-16
/// or UTF-32 byte order mark, or no marker.
struct StreamPieces {
  std::vector<std::size_t> offsets;
  std::vector<std::uint32_t> lines;
};
StreamPieces split_stream(std::string_view text, std::size_t chunk_bytes);

/// Calls on_document for every document of text, in order, with exactly the documents,
/// nodes and lines one DocumentReader over text gives; returns the syntax error that
/// stopped the stream, if any (the documents before it were all handed over). pieces_used,
/// when given, is set to how many pieces were parsed apart and handed over (0: one reader
/// read it all).
std::optional<SyntaxError> for_each_document(
    std::string_view text, const StreamOptions& options,
    const std::function<void(const Document&)>& on_document, std::size_t* pieces_used = nullptr);

}  // namespace podhop::manifest::detail
