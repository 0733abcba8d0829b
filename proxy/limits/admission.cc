#include "limits/admission.h"

#include <spdlog/spdlog.h>

#include <utility>

namespace warren::limits {

ListenerLimits::ListenerLimits(const config::Listener& listener)
    : accept_rate_(listener.accept_rate), source_from_header_(listener.sourceFromHeader()) {
  if (listener.max_connections_per_source != 0) sources_.emplace(listener.max_connections_per_source, listener.source_ipv6_prefix);
  if (listener.accept_rate != 0) {
    // No burst configured: one second's worth.
    rate_.emplace(listener.accept_rate, listener.accept_burst != 0 ? listener.accept_burst : listener.accept_rate);
  }
}

void ListenerLimits::logRejection(LimitKind kind, const std::string& listener, const Address& client, uint32_t max,
                                  int64_t now_ms) {
  auto suppressed = log_[static_cast<size_t>(kind)].allow(now_ms);
  if (!suppressed) return;
  spdlog::warn("limit_reached listener={} limit={} client={} max={} suppressed={}", listener, toString(kind),
               client.toString(), max, *suppressed);
}

Ticket& Ticket::operator=(Ticket&& other) noexcept {
  if (this != &other) {
    release();
    global_ = std::exchange(other.global_, nullptr);
    listener_ = std::exchange(other.listener_, nullptr);
    sources_ = std::exchange(other.sources_, nullptr);
    source_ = other.source_;
  }
  return *this;
}

void Ticket::release() {
  if (global_ != nullptr) global_->fetch_sub(1, std::memory_order_relaxed);
  if (listener_ != nullptr) listener_->fetch_sub(1, std::memory_order_relaxed);
  if (sources_ != nullptr) sources_->release(source_);
  global_ = nullptr;
  listener_ = nullptr;
  sources_ = nullptr;
}

bool Ticket::takeSource(SourceTable& table, const Address& source) {
  if (sources_ != nullptr) return true;  // one source per connection, counted once
  const SourceKey key = table.keyOf(source);
  if (!table.tryAcquire(key)) return false;
  sources_ = &table;
  source_ = key;
  return true;
}

Admission admit(const Gate& gate, const Address& source, int64_t now_ns) {
  Admission a;
  Ticket& t = a.ticket;
  auto reject = [&a](LimitKind kind, uint32_t max) {
    a.ticket.release();
    a.rejected = kind;
    a.max = max;
    return std::move(a);
  };
  // Always counted, limit or not: the counts are gauges (and a reload may add a limit).
  if (gate.global_active != nullptr) {
    t.global_ = gate.global_active;
    const uint32_t open = gate.global_active->fetch_add(1, std::memory_order_relaxed) + 1;
    if (gate.global_max != 0 && open > gate.global_max) return reject(LimitKind::Global, gate.global_max);
  }
  if (gate.listener_active != nullptr) {
    t.listener_ = gate.listener_active;
    const uint32_t open = gate.listener_active->fetch_add(1, std::memory_order_relaxed) + 1;
    if (gate.listener_max != 0 && open > gate.listener_max) return reject(LimitKind::Listener, gate.listener_max);
  }
  if (gate.limits == nullptr) return a;
  if (SourceTable* sources = gate.limits->sources(); sources != nullptr && !gate.limits->sourceFromHeader()) {
    if (!t.takeSource(*sources, source)) return reject(LimitKind::Source, sources->maxPerSource());
  }
  if (TokenBucket* rate = gate.limits->rate(); rate != nullptr && !rate->tryTake(now_ns)) {
    return reject(LimitKind::Rate, gate.limits->acceptRate());
  }
  return a;
}

bool admitHeaderSource(ListenerLimits* limits, const Address& source, Ticket& ticket) {
  if (limits == nullptr || !limits->sourceFromHeader() || limits->sources() == nullptr) return true;
  return ticket.takeSource(*limits->sources(), source);
}

}  // namespace warren::limits
