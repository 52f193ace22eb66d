#pragma once
// PostgreSQL errors in honeyvt's error vocabulary. Every failed libpq call becomes an
// Error whose code is chosen by the SQLSTATE class, so callers branch on the code:
//
//   SQLSTATE                                        ErrorCode        what to do
//   08xxx, 57P01-57P03, no reply (connection lost)  kTransient       reconnect, retry
//   40001, 40P01, 55P03, 57014                      kBusy            retry the transaction
//   28xxx (bad password, no pg_hba entry)           kAuthFailed      fix the DSN / role
//   42501 (insufficient privilege)                  kForbidden       grant (docs/fleet.md)
//   3D000, 3F000, 42P01, 42883 (no database,        kNotFound        run `honeyvt fleet init`
//          schema, table, function)
//   23xxx (constraint violated)                     kInvalidArgument a bug or hostile data
//   22xxx (bad data)                                kCorrupt
//   anything else                                   kIo
//
// The message names the SQLSTATE ("... (SQLSTATE 42501)") for the operator; code never
// parses it. The DSN, which may hold a password, never appears in a message.

#include <string>
#include <string_view>

#include "core/result.h"

namespace honeyvt::pg {

// The ErrorCode for a five-character SQLSTATE (empty: the connection failed).
ErrorCode CodeForSqlState(std::string_view sqlstate);

// "PostgreSQL: <what>: <message> (SQLSTATE <s>)", with the code of CodeForSqlState.
Error MakePgError(std::string_view what, std::string_view message, std::string_view sqlstate);

}  // namespace honeyvt::pg
