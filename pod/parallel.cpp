#include "pod/parallel.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "common/error.hpp"
#include "common/fd.hpp"
#include "common/process.hpp"

namespace pc::pod {

std::vector<std::string> run_in_parallel(size_t n, const std::function<void(size_t)>& fn) {
    std::vector<std::string> errors(n);
    if (n == 1) {
        try {
            fn(0);
        } catch (const std::exception& e) {
            errors[0] = e.what();
        }
        return errors;
    }
    std::fflush(nullptr);  // children must not write our buffers again
    struct Child {
        ChildProcess process;
        UniqueFd report;
    };
    std::vector<Child> children;
    for (size_t i = 0; i < n; ++i) {
        Pipe report = Pipe::make();
        pid_t pid = ::fork();
        if (pid < 0) {
            errors[i] = Error::sys("fork").what();
            continue;
        }
        if (pid == 0) {
            report.read.reset();
            std::string message;
            try {
                fn(i);
            } catch (const std::exception& e) {
                message = e.what();
                if (message.empty()) message = "failed";
            }
            (void)write_all(report.write.get(), message.data(), message.size());
            ::_exit(0);
        }
        report.write.reset();
        children.push_back({ChildProcess(pid), std::move(report.read)});
    }
    size_t at = 0;
    for (size_t i = 0; i < n; ++i) {
        if (!errors[i].empty()) continue;
        Child& c = children[at++];
        (void)read_to_eof(c.report.get(), errors[i]);
        ExitStatus st = c.process.wait();
        if (errors[i].empty() && (st.signaled || st.code != 0)) errors[i] = "worker process failed";
    }
    return errors;
}

}  // namespace pc::pod
