// The load modes (README.md): each runs its phase(s) and returns the report.
#pragma once

#include "loadgen/options.h"
#include "loadgen/runner.h"

namespace warren::bench {

struct ModeResult {
  Json report;
  bool success = false;  // the phase completed with zero errors
};

ModeResult runHandshakes(const Options& options);  // handshake and resume
ModeResult runBulk(const Options& options);        // bulk-up and bulk-down
ModeResult runLatency(const Options& options);
ModeResult runIdle(const Options& options);

}  // namespace warren::bench
