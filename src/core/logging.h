#pragma once
// Logging setup: one spdlog logger writing to stderr. Messages never contain the API key:
// it is held in a Secret, and VirusTotal error text is passed through Redact() first.
//
// Two line formats, chosen once per process from where stderr goes:
//  - a terminal or file: "2026-11-01T12:00:00+00:00 honeyvt warning: text";
//  - systemd's journal (stderr is the stream named by $JOURNAL_STREAM): "<4>warning: text",
//    no timestamp (the journal has its own) and the syslog priority as sd-daemon(3)
//    prefixes, so `journalctl -p warning` filters honeyvt's lines.

#include <sys/types.h>
#include <string_view>

#include "core/result.h"

namespace honeyvt {

// Sets the global log level from its name (trace..off).
Status ConfigureLogging(std::string_view level);

// Whether $JOURNAL_STREAM ("<device>:<inode>", decimal) names the file stderr is open on
// (`dev`, `ino` from fstat of stderr).
bool IsJournalStream(std::string_view journal_stream, dev_t dev, ino_t ino);

// The sd-daemon prefix of an spdlog level name: "<7>" trace/debug, "<6>" info, "<4>" warn,
// "<3>" error, "<2>" critical.
std::string_view SyslogPrefix(std::string_view level);

}  // namespace honeyvt
