// Bringing up `lo` in a fresh network namespace (it starts down; Podman's containers,
// even with --network none, have a working loopback).
#pragma once

namespace pc::net {

// Sets IFF_UP on "lo" in the caller's network namespace. Throws pc::Error on failure.
void bring_up_loopback();

}  // namespace pc::net
