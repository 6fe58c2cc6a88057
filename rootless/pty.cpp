// The payload's terminal: a pty from the container's own devpts instance (so /dev/pts/N
// inside the container names it), with the master handed to the monitor.
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "rootless/sandbox_steps.hpp"

namespace pc::rootless {

void setup_terminal(int console_socket, uid_t uid, unsigned short rows, unsigned short cols, bool bind_console) {
    if (console_socket < 0) throw Error("terminal requested but no console socket was given");
    UniqueFd master(::open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!master) throw Error::sys("opening /dev/pts/ptmx", errno);
    if (::unlockpt(master.get()) < 0) throw Error::sys("unlockpt", errno);
    // TIOCGPTPEER opens the slave through the master, with no path lookup to race.
    UniqueFd slave(::ioctl(master.get(), TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!slave) throw Error::sys("opening the pty slave", errno);
    // The payload may run as another user; it must own its terminal (as with login).
    if (::fchown(slave.get(), uid, static_cast<gid_t>(-1)) < 0)
        throw Error::sys("chown of the pty slave", errno);

    // Programs that write to /dev/console (init systems, some daemons) should reach the
    // user's terminal, as with Podman: bind the slave there.
    if (bind_console) {
        const int c = ::open("/dev/console", O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (c < 0) throw Error::sys("creating /dev/console", errno);
        ::close(c);
        const std::string slave_path = "/proc/self/fd/" + std::to_string(slave.get());
        if (::mount(slave_path.c_str(), "/dev/console", nullptr, MS_BIND, nullptr) < 0)
            throw Error::sys("bind-mounting the pty on /dev/console", errno);
    }

    // The size is set before the payload starts (as crun does with consoleSize), so that
    // a program asking for it at once does not see 0x0.
    if (rows && cols) {
        struct winsize ws {};
        ws.ws_row = rows;
        ws.ws_col = cols;
        ::ioctl(master.get(), TIOCSWINSZ, &ws);
    }
    send_fd(console_socket, master.get());
    master.reset();

    // A new session, so that the pty can become its controlling terminal.
    if (::setsid() < 0 && ::getsid(0) != ::getpid()) throw Error::sys("setsid", errno);
    if (::ioctl(slave.get(), TIOCSCTTY, 0) < 0) throw Error::sys("making the pty the controlling terminal", errno);
    for (int fd = 0; fd <= 2; ++fd) {
        if (::dup2(slave.get(), fd) < 0) throw Error::sys("dup2 of the pty onto stdio", errno);
    }
}

}  // namespace pc::rootless
