#include "store/pg/transaction.h"

namespace honeyvt::pg {

Result<Transaction> Transaction::Begin(Connection& conn) {
  RETURN_IF_ERROR(conn.Exec("BEGIN"));
  return Transaction(&conn);
}

Transaction::~Transaction() {
  if (conn_ != nullptr && !conn_->Broken()) (void)conn_->Exec("ROLLBACK");
}

Status Transaction::Commit() {
  if (conn_ == nullptr) return MakeError(ErrorCode::kInternal, "transaction already finished");
  Connection* c = conn_;
  conn_ = nullptr;
  return c->Exec("COMMIT");
}

}  // namespace honeyvt::pg
