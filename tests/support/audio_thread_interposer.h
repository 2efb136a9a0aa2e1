#pragma once
// Counts heap allocations, frees and mutex locks made by one thread while it is marked: replaces
// malloc and friends, operator new/delete and pthread_mutex_lock for the whole executable, so
// include it in exactly one source file of a test program. The thread under test sets tCounting
// around the section it measures; the calls of every other thread are ignored.
#include <dlfcn.h>
#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <new>

extern "C" {
void* __libc_malloc(size_t);
void* __libc_calloc(size_t, size_t);
void* __libc_realloc(void*, size_t);
void __libc_free(void*);
void* __libc_memalign(size_t, size_t);
}

namespace {
thread_local bool tCounting = false;
std::atomic<long> gAllocations{0}, gFrees{0}, gLocks{0};
using MutexLock = int (*)(pthread_mutex_t*);
std::atomic<MutexLock> gRealLock{nullptr};
}  // namespace

extern "C" void* malloc(size_t n) {
  if (tCounting) ++gAllocations;
  return __libc_malloc(n);
}
extern "C" void* calloc(size_t a, size_t b) {
  if (tCounting) ++gAllocations;
  return __libc_calloc(a, b);
}
extern "C" void* realloc(void* p, size_t n) {
  if (tCounting) ++gAllocations;
  return __libc_realloc(p, n);
}
extern "C" void free(void* p) {
  if (p && tCounting) ++gFrees;
  __libc_free(p);
}
extern "C" int posix_memalign(void** out, size_t alignment, size_t n) {
  if (tCounting) ++gAllocations;
  *out = __libc_memalign(alignment, n);
  return *out ? 0 : ENOMEM;
}
extern "C" void* aligned_alloc(size_t alignment, size_t n) {
  if (tCounting) ++gAllocations;
  return __libc_memalign(alignment, n);
}
extern "C" int pthread_mutex_lock(pthread_mutex_t* m) {
  if (tCounting) ++gLocks;
  MutexLock real = gRealLock.load();
  if (!real) {
    real = reinterpret_cast<MutexLock>(dlsym(RTLD_NEXT, "pthread_mutex_lock"));
    gRealLock.store(real);
  }
  return real(m);
}
void* operator new(size_t n) {
  if (void* p = malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t n) { return operator new(n); }
void* operator new(size_t n, std::align_val_t a) {
  void* p = nullptr;
  if (posix_memalign(&p, std::max(size_t(a), sizeof(void*)), n ? n : 1) != 0) throw std::bad_alloc();
  return p;
}
void* operator new[](size_t n, std::align_val_t a) { return operator new(n, a); }
void operator delete(void* p) noexcept { free(p); }
void operator delete[](void* p) noexcept { free(p); }
void operator delete(void* p, size_t) noexcept { free(p); }
void operator delete[](void* p, size_t) noexcept { free(p); }
void operator delete(void* p, std::align_val_t) noexcept { free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { free(p); }
void operator delete(void* p, size_t, std::align_val_t) noexcept { free(p); }
void operator delete[](void* p, size_t, std::align_val_t) noexcept { free(p); }

