// LD_PRELOAD under `paygate serve` for the power-cut suite: it makes "the machine lost power during an
// fsync" reproducible on one machine without root.
//
// Every fsync/fdatasync of a file whose name ends in "-wal" first copies that file as it stands (what the
// fsync is about to make durable: everything written before the call) and, once the fsync succeeds, keeps
// the copy as the WAL's durable image. When the file named by PAYGATE_POWER_CUT_TRIGGER exists, the next
// WAL fsync does not reach the disk: the shim writes the durable image to "<wal>.power-cut" and then
//   PAYGATE_POWER_CUT_MODE=kill (default)  kills the whole process with SIGKILL, as a power cut would;
//   PAYGATE_POWER_CUT_MODE=eio             fails the fsync with EIO, as a dying disk would, and every
//                                          later WAL fsync too (the disk stays dead).
// PAYGATE_POWER_CUT_THREAD=NAME makes only an fsync from the thread of that name pull the trigger; after
// the cut, WAL fsyncs from other threads never return (a dying disk fails some calls and hangs others), so
// only the named thread's handling of the failure can stop the process.
// The test then (the process being dead) puts the durable image back over the WAL, so exactly the writes
// that were never fsynced are gone. Only the WAL needs this: SQLite writes database pages only in a
// checkpoint, and only from WAL frames it has fsynced first.
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>

namespace {

using SyncFunction = int (*)(int);

pthread_mutex_t g_mutex = PTHREAD_MUTEX_INITIALIZER;
std::string g_durable_image;  // the WAL as of the start of its last successful fsync
bool g_has_image = false;     // a cut before the first WAL fsync would wrongly drop earlier runs' data
bool g_cut_done = false;

bool wal_path_of(int fd, std::string& path) {
  char link[64];
  char target[PATH_MAX];
  std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  const ssize_t length = readlink(link, target, sizeof target - 1);
  if (length <= 0) return false;
  path.assign(target, static_cast<std::size_t>(length));
  return path.size() > 4 && path.compare(path.size() - 4, 4, "-wal") == 0;
}

bool read_whole(int fd, std::string& content) {
  struct stat status {};
  if (fstat(fd, &status) != 0) return false;
  content.resize(static_cast<std::size_t>(status.st_size));
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = pread(fd, content.data() + done, content.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // the file shrank meanwhile: keep what was there
    done += static_cast<std::size_t>(n);
  }
  content.resize(done);
  return true;
}

bool write_whole(const std::string& path, const std::string& content, SyncFunction real_fsync) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  const bool ok = done == content.size() && real_fsync(fd) == 0;
  close(fd);
  return ok;
}

bool on_named_thread() {
  const char* wanted = std::getenv("PAYGATE_POWER_CUT_THREAD");
  if (wanted == nullptr) return true;
  char name[16] = {};
  pthread_getname_np(pthread_self(), name, sizeof name);
  return std::strcmp(name, wanted) == 0;
}

int guarded_sync(int fd, SyncFunction real) {
  std::string path;
  if (!wal_path_of(fd, path)) return real(fd);
  pthread_mutex_lock(&g_mutex);
  if (g_cut_done) {  // only reached in eio mode: the disk is dead
    pthread_mutex_unlock(&g_mutex);
    if (!on_named_thread()) {
      for (;;) pause();
    }
    errno = EIO;
    return -1;
  }
  const char* trigger = std::getenv("PAYGATE_POWER_CUT_TRIGGER");
  if (trigger != nullptr && access(trigger, F_OK) == 0 && on_named_thread()) {
    g_cut_done = true;
    if (!g_has_image) std::abort();
    auto* real_fsync = reinterpret_cast<SyncFunction>(dlsym(RTLD_NEXT, "fsync"));
    if (!write_whole(path + ".power-cut", g_durable_image, real_fsync)) std::abort();
    const timespec slow_disk{0, 100'000'000};
    nanosleep(&slow_disk, nullptr);
    const char* mode = std::getenv("PAYGATE_POWER_CUT_MODE");
    if (mode == nullptr || std::strcmp(mode, "eio") != 0) kill(getpid(), SIGKILL);
    pthread_mutex_unlock(&g_mutex);
    errno = EIO;
    return -1;
  }
  std::string image;
  const bool read = read_whole(fd, image);
  const int rc = real(fd);
  if (rc == 0 && read) {
    g_durable_image.swap(image);
    g_has_image = true;
  }
  pthread_mutex_unlock(&g_mutex);
  return rc;
}

}  // namespace

extern "C" int fdatasync(int fd) {
  static const auto real = reinterpret_cast<SyncFunction>(dlsym(RTLD_NEXT, "fdatasync"));
  return guarded_sync(fd, real);
}

extern "C" int fsync(int fd) {
  static const auto real = reinterpret_cast<SyncFunction>(dlsym(RTLD_NEXT, "fsync"));
  return guarded_sync(fd, real);
}
