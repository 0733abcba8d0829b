// Admission at accept: global, per-listener and per-source connection limits and the
// listener's accept rate, checked for every new connection before a byte is read.
//
//   limits::Gate gate{...counters of this listener...};
//   limits::Admission a = limits::admit(gate, peer, steadyNowNs());
//   if (a.rejected) { ...count, log (bounded), close... }
//   else session keeps a.ticket; ticket.release() when it ends.
//   With accept_proxy and trusted_proxies the per-source count waits for the PROXY header:
//   admitHeaderSource(limits, header source, ticket) then.
//
// Order: the connection counts are taken first (counted, then checked, so that concurrent
// workers never overshoot), the rate token last, so that a connection turned away by a
// count does not spend a token. A rejected connection gives back what it took at once.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "common/address.h"
#include "config/config.h"
#include "limits/connection_log.h"
#include "limits/limit_kind.h"
#include "limits/log_limiter.h"
#include "limits/source_table.h"
#include "limits/token_bucket.h"

namespace warren::limits {

// State one listener's workers share: the per-source table, the accept-rate bucket and
// the bounded rejection log. Created once per listener by the server.
class ListenerLimits {
 public:
  explicit ListenerLimits(const config::Listener& listener);

  SourceTable* sources() { return sources_ ? &*sources_ : nullptr; }  // null: no per-source limit
  // The per-source limit is taken on the PROXY header's source (admitHeaderSource), not by
  // admit() on the TCP peer (config::Listener::sourceFromHeader()).
  bool sourceFromHeader() const { return source_from_header_; }
  TokenBucket* rate() { return rate_ ? &*rate_ : nullptr; }           // null: no accept rate
  uint32_t acceptRate() const { return accept_rate_; }
  // Logs "limit_reached listener=… limit=… client=… max=… suppressed=N" at most once per
  // second per limit kind.
  void logRejection(LimitKind kind, const std::string& listener, const Address& client, uint32_t max,
                    int64_t now_ms);
  // The bounds of this listener's other per-connection lines (connection_log.h).
  ConnectionLog& connectionLog() { return connection_log_; }

 private:
  std::optional<SourceTable> sources_;
  std::optional<TokenBucket> rate_;
  uint32_t accept_rate_ = 0;
  bool source_from_header_ = false;
  std::array<LogLimiter, kLimitKindCount> log_;
  ConnectionLog connection_log_;
};

struct Gate;
struct Admission;

// Gives back the counts an admitted connection holds. Move-only; release() is idempotent
// and also runs on destruction.
class Ticket {
 public:
  Ticket() = default;
  ~Ticket() { release(); }
  Ticket(Ticket&& other) noexcept { *this = std::move(other); }
  Ticket& operator=(Ticket&& other) noexcept;
  Ticket(const Ticket&) = delete;
  Ticket& operator=(const Ticket&) = delete;

  void release();

 private:
  friend // On a listener whose limits are not sourceFromHeader(): `source` is the TCP peer.
Admission admit(const Gate& gate, const Address& source, int64_t now_ns);

// On a sourceFromHeader() listener, once the PROXY header is read: counts its `source` in
// the per-source table and adds it to the `ticket` admit() gave (released with it, once).
// False when that source is at max_connections_per_source (the ticket is unchanged: the
// caller closes, which releases the rest). True without counting on any other listener.
bool admitHeaderSource(ListenerLimits* limits, const Address& source, Ticket& ticket);
  friend bool admitHeaderSource(ListenerLimits* limits, const Address& source, Ticket& ticket);
  // Counts `source` in `table` and holds it until release(); false when at the limit.
  bool takeSource(SourceTable& table, const Address& source);

  std::atomic<uint32_t>* global_ = nullptr;
  std::atomic<uint32_t>* listener_ = nullptr;
  SourceTable* sources_ = nullptr;
  SourceKey source_;
};

struct Gate {
  std::atomic<uint32_t>* global_active = nullptr;  // every listener
  uint32_t global_max = 0;                         // 0 = unlimited
  std::atomic<uint32_t>* listener_active = nullptr;
  uint32_t listener_max = 0;
  ListenerLimits* limits = nullptr;  // per-source table and rate; may be null
};

struct Admission {
  Ticket ticket;                      // empty when rejected
  std::optional<LimitKind> rejected;  // the first limit that was reached
  uint32_t max = 0;                   // that limit's configured value (for the log)
};

// On a listener whose limits are not sourceFromHeader(): `source` is the TCP peer.
Admission admit(const Gate& gate, const Address& source, int64_t now_ns);

// On a sourceFromHeader() listener, once the PROXY header is read: counts its `source` in
// the per-source table and adds it to the `ticket` admit() gave (released with it, once).
// False when that source is at max_connections_per_source (the ticket is unchanged: the
// caller closes, which releases the rest). True without counting on any other listener.
bool admitHeaderSource(ListenerLimits* limits, const Address& source, Ticket& ticket);

}  // namespace warren::limits
