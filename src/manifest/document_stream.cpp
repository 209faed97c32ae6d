#include "manifest/document_stream.hpp"

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>

namespace podhop::manifest::detail {

namespace {

/// A line that is a document marker: `---` alone or followed by a space.
bool is_marker(std::string_view line) {
  return line.substr(0, 3) == "---" && (line.size() == 3 || line[3] == ' ');
}

/// One piece parsed: its reader owns the nodes of its documents.
struct Piece {
  std::string text;  // the piece, then a marker (see parse_claimed)
  DocumentReader reader{std::string_view()};
  std::vector<Document> docs;
  bool failed = false;
};

/// The pieces of one stream, parsed by the calling thread and a worker, handed over in
/// order by the calling thread. Every member is guarded by mutex_ but the text and the cuts.
class PieceParser {
 public:
  PieceParser(std::string_view text, const StreamPieces& pieces, std::size_t window)
      : text_(text),
        pieces_(pieces),
        window_(std::max<std::size_t>(window, 1)),
        parsed_(pieces.offsets.size()),
        done_(pieces.offsets.size(), false) {}

  /// Hands every document over in order; returns the index of the first piece that did not
  /// parse, or the number of pieces.
  std::size_t run(const std::function<void(const Document&)>& on_document) {
    const std::size_t n = pieces_.offsets.size();
    std::thread worker;
    try {
      worker = std::thread([this] { work(); });
    } catch (const std::system_error&) {
      return 0;  // no thread to be had: nothing handed over, one reader reads it all
    }
    // Stops and joins the worker however this returns (an exception of on_document too).
    struct Join {
      PieceParser& p;
      std::thread& t;
      ~Join() {
        {
          std::lock_guard lock(p.mutex_);
          p.stop_ = true;
        }
        p.changed_.notify_all();
        t.join();
      }
    } join{*this, worker};
    for (std::size_t i = 0; i < n; ++i) {
      std::unique_ptr<Piece> piece;
      {
        std::unique_lock lock(mutex_);
        handing_ = i;
        changed_.notify_all();
        while (!done_[i]) {
          // Rather than wait for the worker, parse the next piece here if the window allows.
          if (claimable()) {
            parse_claimed(lock);
          } else {
            changed_.wait(lock);
          }
        }
        piece = std::move(parsed_[i]);
      }
      if (!piece || piece->failed) return i;
      for (const Document& doc : piece->docs) on_document(doc);
      std::lock_guard lock(mutex_);
      spare_.push_back(std::move(piece));
    }
    return n;
  }

 private:
  bool claimable() const { return next_ < pieces_.offsets.size() && next_ < handing_ + window_; }

  /// Parses the next unclaimed piece; called and returns with the lock held.
  void parse_claimed(std::unique_lock<std::mutex>& lock) {
    const std::size_t j = next_++;
    std::unique_ptr<Piece> piece;
    if (!spare_.empty()) {
      piece = std::move(spare_.back());
      spare_.pop_back();
    }
    lock.unlock();
    const std::size_t begin = pieces_.offsets[j];
    const std::size_t end = j + 1 < pieces_.offsets.size() ? pieces_.offsets[j + 1] : text_.size();
    const bool last = j + 1 == pieces_.offsets.size();
    try {
      if (!piece) piece = std::make_unique<Piece>();
      piece->docs.clear();
      // Every piece but the last is parsed with a marker line after it, as the stream has
      // one there: whatever is open at the end of the piece meets `---` at column 0 as it
      // does in the whole stream (a quoted scalar is an error then, where at the end of the
      // text yaml-cpp would close it quietly). The empty document the marker starts is
      // dropped; anything else there means the piece is not what the stream has.
      piece->text.assign(text_.substr(begin, end - begin));
      if (!last) piece->text.append("---\n");
      piece->reader.restart(piece->text, pieces_.lines[j]);
      piece->failed = !piece->reader.read_all(piece->docs);
      if (!piece->failed && !last) {
        const Document* marker = piece->docs.empty() ? nullptr : &piece->docs.back();
        piece->failed = !marker || marker->start_line != pieces_.lines[j + 1] ||
                        (marker->root && !marker->root->is_null()) ||
                        !marker->duplicate_keys.empty();
        if (!piece->failed) piece->docs.pop_back();
      }
    } catch (...) {
      // Out of memory, say: the piece is read again on the calling thread, which reports it.
      piece.reset();
    }
    lock.lock();
    parsed_[j] = std::move(piece);  // null when it could not even be tried
    done_[j] = true;
    changed_.notify_all();
  }

  void work() {
    std::unique_lock lock(mutex_);
    for (;;) {
      changed_.wait(lock, [this] { return stop_ || claimable(); });
      if (stop_) return;
      parse_claimed(lock);
    }
  }

  std::string_view text_;
  const StreamPieces& pieces_;
  const std::size_t window_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::unique_ptr<Piece>> parsed_;  // by piece, until handed over
  std::vector<bool> done_;                      // by piece: parsed (or failed to be)
  std::vector<std::unique_ptr<Piece>> spare_;   // handed over, their room kept for reuse
  std::size_t next_ = 0;                        // the next piece to parse
  std::size_t handing_ = 0;                     // the piece being handed over
  bool stop_ = false;
};

/// One reader over text from a line on: today's way, and the way back after a bad piece.
std::optional<SyntaxError> read_in_order(std::string_view text, std::uint32_t line_offset,
                                         const std::function<void(const Document&)>& on_document) {
  DocumentReader reader(text, line_offset);
  Document doc;
  while (reader.next(doc)) on_document(doc);
  return reader.error();
}

}  // namespace

StreamPieces split_stream(std::string_view text, std::size_t chunk_bytes) {
  StreamPieces out;
  out.offsets.push_back(0);
  out.lines.push_back(0);
  // Carriage returns: yaml-cpp's lines and ours might not agree; leave such text whole.
  if (text.find('\r') != std::string_view::npos) return out;
  // yaml-cpp tells UTF-16 and UTF-32 from the first bytes of a stream (NUL bytes, a byte
  // order mark): a piece after the first would be read as UTF-8.
  if (text.find('\0') != std::string_view::npos ||
      (!text.empty() && (static_cast<unsigned char>(text[0]) == 0xFE ||
                         static_cast<unsigned char>(text[0]) == 0xFF)))
    return out;
  StreamPieces cuts = out;
  std::uint32_t line = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const char* nl =
        static_cast<const char*>(std::memchr(text.data() + pos, '\n', text.size() - pos));
    const std::size_t end = nl ? static_cast<std::size_t>(nl - text.data()) : text.size();
    const std::string_view l = text.substr(pos, end - pos);
    if (!l.empty()) {
      // A directive or a document end marker: documents after it may depend on it.
      if (l[0] == '%' || l.substr(0, 3) == "...") return out;
      if (line > 0 && is_marker(l) && pos - cuts.offsets.back() >= chunk_bytes) {
        cuts.offsets.push_back(pos);
        cuts.lines.push_back(line);
      }
    }
    ++line;
    pos = end + 1;
  }
  return cuts;
}

std::optional<SyntaxError> for_each_document(
    std::string_view text, const StreamOptions& options,
    const std::function<void(const Document&)>& on_document, std::size_t* pieces_used) {
  if (pieces_used) *pieces_used = 0;
  if (text.size() < options.min_bytes) return read_in_order(text, 0, on_document);
  StreamPieces pieces = split_stream(text, options.chunk_bytes);
  if (pieces.offsets.size() < 2) return read_in_order(text, 0, on_document);
  PieceParser parser(text, pieces, options.window);
  const std::size_t bad = parser.run(on_document);
  if (pieces_used) *pieces_used = bad;
  if (bad == pieces.offsets.size()) return std::nullopt;
  // The documents before the bad piece are handed over; read the rest as one reader would.
  return read_in_order(text.substr(pieces.offsets[bad]), pieces.lines[bad], on_document);
}

}  // namespace podhop::manifest::detail
