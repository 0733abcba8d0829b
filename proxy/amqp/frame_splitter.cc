#include "amqp/frame_splitter.h"

#include <algorithm>

namespace warren::amqp {

bool FrameSplitter::feed(std::span<const uint8_t> data, UnitHandler& handler) {
  for (;;) {
    const bool buffered = !buffer_.empty();
    if (!buffered && data.empty()) return true;
    const std::span<const uint8_t> head = buffered ? std::span<const uint8_t>(buffer_) : data;
    const Measure m = handler.measure(head);
    // A handler that breaks its contract (NeedMore must ask for more than the head has;
    // Unit must be non-empty and not shorter than what is buffered) stops the direction
    // rather than over-buffering or looping.
    const bool broken =
        (m.kind == Measure::Kind::NeedMore && m.length <= head.size()) ||
        (m.kind == Measure::Kind::Unit && (m.length == 0 || m.length < buffer_.size()));
    if (m.kind == Measure::Kind::Stop || broken) {
      buffer_.clear();
      return false;
    }
    if (!buffered) {
      if (m.kind == Measure::Kind::Unit && m.length <= data.size()) {
        // Whole unit in place: no copy.
        const uint64_t at = offset_;
        offset_ += m.length;
        const std::span<const uint8_t> unit = data.first(m.length);
        data = data.subspan(m.length);
        if (!handler.onUnit(unit, at)) return false;
        continue;
      }
      // Cut by the end of `data`: keep it (data.size() < m.length, the announced length).
      buffer_.reserve(m.length);
      buffer_.assign(data.begin(), data.end());
      return true;
    }
    if (m.kind == Measure::Kind::Unit && buffer_.size() == m.length) {
      const uint64_t at = offset_;
      offset_ += buffer_.size();
      const bool keep_going = handler.onUnit(buffer_, at);
      buffer_.clear();
      if (!keep_going) return false;
      continue;
    }
    if (data.empty()) return true;
    // Grow the buffered unit (or its measurable head) towards m.length from `data`; the
    // next round measures again or delivers it.
    if (m.length > buffer_.capacity()) buffer_.reserve(m.length);
    const size_t take = std::min(m.length - buffer_.size(), data.size());
    buffer_.insert(buffer_.end(), data.begin(), data.begin() + static_cast<ptrdiff_t>(take));
    data = data.subspan(take);
  }
}

void FrameSplitter::release() { std::vector<uint8_t>().swap(buffer_); }

}  // namespace warren::amqp
