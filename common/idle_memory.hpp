// Giving back what a long-lived, mostly idle process (a container's monitor, its namespace
// helper) touched only while starting: the freed heap, and the resident pages of program
// text (its own and its libraries'). Text pages are file-backed and never written, so dropping them from this
// process's page tables loses nothing: they stay in the page cache and fault back in when
// that code runs again (one page at a time); meanwhile they are not counted against the
// process (Pss, RSS).
#pragma once

namespace pc {

void trim_idle_memory();

}  // namespace pc
