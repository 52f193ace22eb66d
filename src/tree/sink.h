#pragma once
// Where tree output goes. FdSink streams to a file descriptor through a 64 KiB buffer;
// when the reader goes away (EPIPE: `honeyvt tree | head`) it reports closed() and
// drops further output so the command can stop quietly. StringSink collects output for
// tests. Spaces() exists so deep indentation never has to be materialised at once.

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.h"

namespace honeyvt::tree {

class Sink {
 public:
  virtual ~Sink() = default;
  virtual void Write(std::string_view bytes) = 0;
  virtual void Spaces(std::size_t n);
  // False once the destination is closed or failed; the walk stops then.
  virtual bool ok() const { return true; }
  // While held, output is only buffered (never blocks on the reader); Release() writes
  // it out. Used to keep SQLite read transactions from spanning a blocking write.
  virtual void Hold() {}
  virtual void Release() {}
  virtual std::size_t buffered() const { return 0; }
};

class FdSink final : public Sink {
 public:
  explicit FdSink(int fd) : fd_(fd) {}
  ~FdSink() override;
  FdSink(const FdSink&) = delete;
  FdSink& operator=(const FdSink&) = delete;

  void Write(std::string_view bytes) override;
  bool ok() const override { return !closed_ && !failed_; }
  // Writes out the buffer. An error other than a closed pipe is kIo.
  Status Flush();
  bool closed() const { return closed_; }  // the reader went away (EPIPE)
  void Hold() override { held_ = true; }
  void Release() override;
  std::size_t buffered() const override { return buffer_.size(); }

 private:
  void Drain();
  int fd_;
  std::string buffer_;
  bool held_ = false;
  bool closed_ = false;
  bool failed_ = false;
  int errno_ = 0;
};

class StringSink final : public Sink {
 public:
  void Write(std::string_view bytes) override { out_.append(bytes); }
  const std::string& str() const { return out_; }

 private:
  std::string out_;
};

}  // namespace honeyvt::tree
