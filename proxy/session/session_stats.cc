#include "session/session_stats.h"

#include <numeric>

#include "amqp/handshake_info.h"
#include "tls/connection_facts.h"
#include "tls/diagnosis.h"

namespace warren::session {

static_assert(kTlsVersionCount == tls::kVersionLabels.size());
static_assert(kTlsFailureReasonCount == static_cast<size_t>(tls::FailureReason::TlsOnPlaintext) + 1);
static_assert(kAmqpProtocolCount == static_cast<size_t>(amqp::Protocol::NotAmqp) + 1);
static_assert(kMisdirectedCount == static_cast<size_t>(amqp::Misdirected::Garbage) + 1);

const char* closeReasonLabel(size_t i) { return toString(static_cast<CloseReason>(i)); }
const char* directionLabel(size_t i) { return i == kUp ? "client_to_node" : "node_to_client"; }
const char* proxyHeaderFailureLabel(size_t i) { return i == kHeaderInvalid ? "invalid" : "timeout"; }
const char* tlsVersionLabel(size_t i) { return tls::kVersionLabels[i]; }
const char* tlsFailureLabel(size_t i) { return tls::toString(static_cast<tls::FailureReason>(i)); }
const char* amqpProtocolLabel(size_t i) { return amqp::toString(static_cast<amqp::Protocol>(i)); }
const char* misdirectedLabel(size_t i) { return amqp::toString(static_cast<amqp::Misdirected>(i)); }

uint64_t Totals::tlsHandshakes() const {
  return std::accumulate(tls_handshakes.begin(), tls_handshakes.end(), uint64_t{0});
}

uint64_t Totals::rejected() const {
  return std::accumulate(rejected_by_limit.begin(), rejected_by_limit.end(), uint64_t{0});
}

Totals Snapshot::totals() const {
  Totals t;
  for (const auto& [name, l] : listeners) accumulate(static_cast<ListenerTotals&>(t), l);
  for (const auto& [key, n] : nodes) accumulate(static_cast<NodeTotals&>(t), n);
  accumulate(static_cast<RelayTotals&>(t), relay);
  accumulate(static_cast<limits::LimitTotals&>(t), limits);
  return t;
}

void StatsRegistry::addTo(Snapshot& out) const {
  listeners_.addTo(out.listeners);
  routes_.addTo(out.routes);
  nodes_.addTo(out.nodes);
  accumulate(out.relay, relay_);
  accumulate(out.limits, limits_);
}

}  // namespace warren::session
