#pragma once
// A transaction as a scope guard: BEGIN on creation, ROLLBACK on destruction unless
// Commit() succeeded. READ COMMITTED (PostgreSQL's default): the claim relies on it
// (SKIP LOCKED would raise serialization failures under REPEATABLE READ). Move-only; must
// not outlive its Connection.

#include "core/result.h"
#include "store/pg/connection.h"

namespace honeyvt::pg {

class Transaction {
 public:
  static Result<Transaction> Begin(Connection& conn);
  Transaction(Transaction&& other) noexcept : conn_(other.conn_) { other.conn_ = nullptr; }
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();

  // COMMIT. An error whose code is kTransient means the outcome is unknown (the
  // connection broke during COMMIT): re-read what the transaction changed.
  Status Commit();

 private:
  explicit Transaction(Connection* conn) : conn_(conn) {}
  Connection* conn_;  // null once committed or rolled back
};

}  // namespace honeyvt::pg
