#include "container/copy.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <optional>

#include "common/error.hpp"
#include "common/file_lock.hpp"
#include "container/container_fs.hpp"
#include "container/cp_archive.hpp"
#include "container/cp_plan.hpp"

namespace pc::container {

namespace {

// A stream socket pair: the tar stream between pc and the child (MSG_NOSIGNAL writes).
struct StreamPair {
    UniqueFd ours, theirs;
    StreamPair() {
        int sv[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) throw Error::sys("socketpair");
        ours.reset(sv[0]);
        theirs.reset(sv[1]);
    }
};

// The current state, and for a stopped container the container's lock, held while its root
// filesystem is mounted by the copy (so that a concurrent start waits for it).
struct Target {
    Container c;
    std::optional<FileLock> lock;
};

Target current(ContainerStore& containers, const Container& given) {
    Target t{containers.get(given.config.id), std::nullopt};
    if (!t.c.state.running()) {
        t.lock.emplace(containers.lock(t.c.config.id));
        t.c.state = containers.load_state(t.c.config.id);
    }
    return t;
}

// Runs the child, and pc's side of the stream; the child's error wins over ours (ours is
// then usually just the broken stream it caused).
void run_both(ContainerStore& containers, const Container& c, StreamPair* stream,
              const std::function<void(int)>& child_side, const std::function<void()>& our_side) {
    ContainerFsChild child = ContainerFsChild::start(containers, c, child_side);
    if (stream) stream->theirs.reset();
    std::optional<Error> ours;
    try {
        our_side();
    } catch (const Error& e) {
        ours = e;
    }
    if (stream) stream->ours.reset();  // a child still writing gets EPIPE, not a hang
    child.finish();
    if (ours) throw *ours;
}

std::string where(const Container& c) { return "container " + c.config.name; }

// The host side of a path: a directory fd to act as the root and the path inside it. The
// host's own symlinks are followed as usual; what the archive brings cannot leave it.
struct HostPlace {
    UniqueFd root;
    std::string path;
};

HostPlace host_source(const std::string& src) {
    SourceName sn = source_name(src);
    std::string p = src;
    if (sn.follow) {
        char real[PATH_MAX];
        if (!::realpath(src.c_str(), real))
            throw Error("\"" + src + "\" could not be found on the host: no such file or directory");
        p = real;
    }
    auto [parent, base] = split_parent(p);
    HostPlace h{UniqueFd(::open(parent.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC)), "/" + base};
    if (!h.root) throw Error("\"" + src + "\" could not be found on the host: no such file or directory");
    if (base == ".") h.path = "/";
    return h;
}

}  // namespace

void copy_to_container(ContainerStore& containers, const Container& given, const std::string& host_src,
                       const std::string& ctr_dest, const CopyOptions& o, int stdin_fd) {
    Target t = current(containers, given);
    ExtractSpec spec;
    spec.dest = ctr_dest;
    spec.where = where(t.c);
    spec.keep_ids = o.archive;
    if (host_src == "-") {
        spec.raw = true;
        run_both(containers, t.c, nullptr, [&](int root) {
            spec.root_fd = root;
            extract_copy_archive(stdin_fd, spec);
        }, [] {});
        return;
    }
    // Checked before anything starts: a typo must not leave a half-made destination.
    HostPlace src = host_source(host_src);
    struct stat st {};
    if (::fstatat(src.root.get(), src.path == "/" ? "." : src.path.c_str() + 1, &st, AT_SYMLINK_NOFOLLOW) < 0)
        throw Error("\"" + host_src + "\" could not be found on the host: no such file or directory");
    SourceName sn = source_name(host_src);
    StreamPair stream;
    const int theirs = stream.theirs.get();
    const int ours = stream.ours.get();
    run_both(containers, t.c, &stream, [&](int root) {
        ::close(ours);  // else the stream never ends for us
        spec.root_fd = root;
        extract_copy_archive(theirs, spec);
    }, [&] {
        write_copy_archive(src.root.get(), src.path, sn.follow, sn.top, stream.ours.get(), "the host");
    });
}

void copy_from_container(ContainerStore& containers, const Container& given, const std::string& ctr_src,
                         const std::string& host_dest, const CopyOptions&, int stdout_fd) {
    Target t = current(containers, given);
    SourceName sn = source_name(ctr_src);
    const std::string w = where(t.c);
    if (host_dest == "-") {
        run_both(containers, t.c, nullptr, [&](int root) {
            write_copy_archive(root, ctr_src, sn.follow, sn.top, stdout_fd, w);
        }, [] {});
        return;
    }
    // The host destination's root: the destination itself when it is a directory, else
    // its parent (which must exist).
    ExtractSpec spec;
    spec.where = "the host";
    spec.host_side = true;
    struct stat st {};
    HostPlace dest;
    if (::stat(host_dest.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
        dest.root.reset(::open(host_dest.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
        dest.path = "/";
    } else {
        auto [parent, base] = split_parent(host_dest);
        dest.root.reset(::open(parent.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
        dest.path = "/" + base + (host_dest.back() == '/' ? "/" : "");
        if (!dest.root) throw Error("\"" + parent + "\" could not be found on the host: no such file or directory");
    }
    if (!dest.root) throw Error::sys("opening " + host_dest, errno);
    spec.root_fd = dest.root.get();
    spec.dest = dest.path;
    StreamPair stream;
    const int theirs = stream.theirs.get();
    const int ours = stream.ours.get();
    run_both(containers, t.c, &stream, [&](int root) {
        ::close(ours);
        write_copy_archive(root, ctr_src, sn.follow, sn.top, theirs, w);
    }, [&] {
        extract_copy_archive(stream.ours.get(), spec);
    });
}

}  // namespace pc::container
