#pragma once
// Connection strings of the fleet database: libpq keyword strings ("host=db.example
// dbname=honeyvt user=sensor1 sslmode=verify-full") and URIs ("postgresql://sensor1@db/
// honeyvt?sslmode=verify-full") both work, with every libpq option passed through.
//
// A DSN may carry a password. honeyvt never logs one: what it prints is RedactDsn(),
// and messages from libpq that might echo the string go through ScrubSecrets().
// Prefer ~/.pgpass or PGPASSFILE to a password inside the DSN.

#include <string>
#include <string_view>

#include "core/result.h"

namespace honeyvt::pg {

// Parses `dsn` as libpq would; kInvalidArgument (naming the problem, without secrets)
// if it cannot.
Status ValidateDsn(std::string_view dsn);
// The DSN as "key=value ..." of the options it sets, with password=*** (and the same
// for any other option libpq marks as secret). "(unparsable DSN)" if it does not parse.
std::string RedactDsn(std::string_view dsn);
// True if the DSN itself carries a password (a warning is due: prefer a password file).
bool DsnHasPassword(std::string_view dsn);
// `text` with anything that looks like a password in a connection string replaced by
// ***: "password=..." values and the password of a URI's user info.
std::string ScrubSecrets(std::string_view text);

}  // namespace honeyvt::pg
