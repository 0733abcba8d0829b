#include "stats/worker_stats.h"

namespace warren::stats {

WorkerStats& WorkerStats::operator+=(const WorkerStats& o) {
  accepted += o.accepted;
  active += o.active;
  rejected_limit += o.rejected_limit;
  for (size_t i = 0; i < rejected_by_limit.size(); ++i) rejected_by_limit[i] += o.rejected_by_limit[i];
  proxy_header_invalid += o.proxy_header_invalid;
  proxy_header_timeout += o.proxy_header_timeout;
  connect_attempts += o.connect_attempts;
  connect_failures += o.connect_failures;
  bytes_up += o.bytes_up;
  bytes_down += o.bytes_down;
  buffered_bytes += o.buffered_bytes;
  backpressure_pauses += o.backpressure_pauses;
  backpressure_resumes += o.backpressure_resumes;
  tls_handshakes += o.tls_handshakes;
  tls_resumed += o.tls_resumed;
  tls_on_plaintext += o.tls_on_plaintext;
  for (size_t i = 0; i < closed_by_reason.size(); ++i) closed_by_reason[i] += o.closed_by_reason[i];
  for (size_t i = 0; i < tls_failures.size(); ++i) tls_failures[i] += o.tls_failures[i];
  for (size_t i = 0; i < amqp_protocol.size(); ++i) amqp_protocol[i] += o.amqp_protocol[i];
  for (size_t i = 0; i < amqp_misdirected.size(); ++i) amqp_misdirected[i] += o.amqp_misdirected[i];
  for (size_t i = 0; i < heartbeat_seconds.size(); ++i) heartbeat_seconds[i] += o.heartbeat_seconds[i];
  heartbeat_seconds_sum += o.heartbeat_seconds_sum;
  amqp_handshake_ms_sum += o.amqp_handshake_ms_sum;
  return *this;
}

}  // namespace warren::stats
