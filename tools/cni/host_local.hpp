// tools/cni/host_local.hpp — host-local IPAM, built in, sharing the reference
// plugin's on-disk state so both can serve one network (and a user can switch
// either way without losing a lease):
//
//   DATADIR/NAME/lock                 flock(LOCK_EX) held around every change
//   DATADIR/NAME/<ip>                 "<containerID>\r\n<ifname>", created O_EXCL
//   DATADIR/NAME/last_reserved_ip.<i> the last address handed out from range set i
//
// Allocation walks each range set round-robin from last_reserved_ip + 1,
// skipping the gateway, exactly as the reference allocator does.
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "rtnl/fd.hpp"
#include "tools/cni/config.hpp"
#include "tools/cni/error.hpp"
#include "tools/cni/result.hpp"

namespace rtnl::cni {

class lease_store {
public:
    /// Opens (creating) DATADIR/NAME and takes its lock until destruction.
    lease_store(const std::string& data_dir, const std::string& network) : dir_(data_dir + "/" + network) {
        make_dirs(dir_);
        dir_fd_ = unique_fd(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!dir_fd_) fail(io_failure, "cannot open " + dir_ + ": " + std::strerror(errno));
        lock_fd_ = unique_fd(::openat(dir_fd_.get(), "lock", O_RDWR | O_CREAT | O_CLOEXEC, 0750));
        if (!lock_fd_) fail(io_failure, "cannot open " + dir_ + "/lock: " + std::strerror(errno));
        while (::flock(lock_fd_.get(), LOCK_EX) != 0)
            if (errno != EINTR) fail(io_failure, "cannot lock " + dir_ + "/lock: " + std::strerror(errno));
    }

    const std::string& dir() const noexcept { return dir_; }

    /// Creates the lease file; false if the address is taken.
    bool reserve(const ip_address& ip, const std::string& id, const std::string& ifname, std::size_t set) {
        const std::string name = ip.to_string();
        unique_fd f(::openat(dir_fd_.get(), name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
        if (!f) {
            if (errno == EEXIST) return false;
            fail(io_failure, "cannot create " + dir_ + "/" + name + ": " + std::strerror(errno));
        }
        const std::string body = id + "\r\n" + ifname;
        if (::write(f.get(), body.data(), body.size()) != static_cast<ssize_t>(body.size())) {
            const int e = errno;
            ::unlinkat(dir_fd_.get(), name.c_str(), 0);
            fail(io_failure, "cannot write " + dir_ + "/" + name + ": " + std::strerror(e));
        }
        write_file("last_reserved_ip." + std::to_string(set), name);
        return true;
    }

    std::optional<ip_address> last_reserved(std::size_t set) const {
        char buf[64];
        unique_fd f(::openat(dir_fd_.get(), ("last_reserved_ip." + std::to_string(set)).c_str(), O_RDONLY | O_CLOEXEC));
        if (!f) return std::nullopt;
        const ssize_t n = ::read(f.get(), buf, sizeof buf);
        if (n <= 0) return std::nullopt;
        return ip_address::parse(std::string_view(buf, static_cast<std::size_t>(n)));
    }

    struct lease {
        std::string file;
        ip_address ip;
        std::string id;
        std::string ifname;  // empty for leases written by old host-local (id only)
    };

    /// Every lease file (one directory walk; the reference walks too).
    std::vector<lease> leases() const {
        std::vector<lease> out;
        int dup = ::dup(dir_fd_.get());
        if (dup < 0) return out;
        DIR* d = ::fdopendir(dup);
        if (!d) {
            ::close(dup);
            return out;
        }
        ::rewinddir(d);
        while (dirent* e = ::readdir(d)) {
            if (e->d_name[0] == '.' || (e->d_type != DT_REG && e->d_type != DT_UNKNOWN)) continue;
            auto ip = ip_address::parse(e->d_name);
            if (!ip) continue;  // lock, last_reserved_ip.N
            unique_fd f(::openat(dir_fd_.get(), e->d_name, O_RDONLY | O_CLOEXEC));
            if (!f) continue;
            char buf[512];
            const ssize_t n = ::read(f.get(), buf, sizeof buf);
            if (n < 0) continue;
            std::string_view body(buf, static_cast<std::size_t>(n));
            while (!body.empty() && std::isspace(static_cast<unsigned char>(body.back()))) body.remove_suffix(1);
            while (!body.empty() && std::isspace(static_cast<unsigned char>(body.front()))) body.remove_prefix(1);
            lease l{e->d_name, *ip, {}, {}};
            if (auto crlf = body.find("\r\n"); crlf != std::string_view::npos) {
                l.id = std::string(body.substr(0, crlf));
                l.ifname = std::string(body.substr(crlf + 2));
            } else {
                l.id = std::string(body);
            }
            out.push_back(std::move(l));
        }
        ::closedir(d);
        return out;
    }

    /// Removes the leases of (id, ifname); leases of old host-local (id only) too
    /// when none matched, as the reference does.
    std::vector<ip_address> release(const std::string& id, const std::string& ifname) {
        std::vector<ip_address> out;
        auto all = leases();
        for (int pass = 0; pass < 2 && out.empty(); ++pass)
            for (auto& l : all)
                if (l.id == id && (pass == 0 ? l.ifname == ifname : l.ifname.empty()))
                    if (::unlinkat(dir_fd_.get(), l.file.c_str(), 0) == 0) out.push_back(l.ip);
        return out;
    }

    void remove(const lease& l) { ::unlinkat(dir_fd_.get(), l.file.c_str(), 0); }

private:
    static void make_dirs(const std::string& path) {
        std::string cur;
        for (std::size_t i = 0; i <= path.size(); ++i) {
            if (i == path.size() || (path[i] == '/' && i > 0)) {
                cur = path.substr(0, i);
                if (::mkdir(cur.c_str(), 0755) != 0 && errno != EEXIST)
                    fail(io_failure, "cannot create " + cur + ": " + std::strerror(errno));
            }
        }
    }
    void write_file(const std::string& name, const std::string& body) {
        unique_fd f(::openat(dir_fd_.get(), name.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
        if (!f || ::write(f.get(), body.data(), body.size()) != static_cast<ssize_t>(body.size()))
            fail(io_failure, "cannot write " + dir_ + "/" + name + ": " + std::strerror(errno));
    }

    std::string dir_;
    unique_fd dir_fd_;
    unique_fd lock_fd_;  // closing it releases the flock
};

namespace host_local_detail {

inline std::string set_text(const range_set& s) {
    std::string out;
    for (auto& r : s) out += (out.empty() ? "" : ",") + r.start.to_string() + "-" + r.end.to_string();
    return out;
}

/// The reference allocator's round-robin iterator over one range set.
class range_iterator {
public:
    range_iterator(const range_set& s, std::optional<ip_address> last) : set_(s) {
        if (last)
            for (std::size_t i = 0; i < s.size(); ++i)
                if (range_contains(s[i], *last)) {
                    idx_ = i;
                    cur_ = *last;
                    return;
                }
    }
    std::optional<ip_address> next() {
        for (std::size_t guard = 0;; ++guard) {
            const ip_range* r = &set_[idx_];
            if (!cur_) {
                cur_ = r->start;
                start_ = cur_;
            } else {
                if (*cur_ == r->end) {
                    idx_ = (idx_ + 1) % set_.size();
                    r = &set_[idx_];
                    cur_ = r->start;
                } else {
                    cur_ = config_detail::next(*cur_);
                }
                if (!start_) start_ = cur_;
                else if (*cur_ == *start_) return std::nullopt;
            }
            if (*cur_ != r->gateway) return cur_;
            if (guard > 4) return std::nullopt;  // a range holding nothing but its gateway
        }
    }
    const ip_range& range() const { return set_[idx_]; }

private:
    const range_set& set_;
    std::size_t idx_ = 0;
    std::optional<ip_address> cur_, start_;
};

}  // namespace host_local_detail

/// host-local ADD: one address per range set; the result carries ips and routes.
inline result host_local_add(const net_config& c, const std::string& id, const std::string& ifname) {
    using namespace host_local_detail;
    lease_store store(c.ipam.data_dir, c.name);
    std::vector<ip_address> requested = c.ipam.requested;
    result out;
    std::vector<ip_address> mine;  // undo removes only what this call reserved, never an older lease
    auto undo = [&] {
        for (auto& ip : mine) store.remove({ip.to_string(), ip, id, ifname});
    };
    try {
        std::vector<lease_store::lease> existing;
        bool walked = false;
        for (std::size_t idx = 0; idx < c.ipam.ranges.size(); ++idx) {
            const range_set& set = c.ipam.ranges[idx];
            std::optional<ip_address> want;
            for (auto it = requested.begin(); it != requested.end(); ++it)
                if (set_contains(set, *it)) {
                    want = *it;
                    requested.erase(it);
                    break;
                }
            const ip_range* range = nullptr;
            ip_address got;
            if (want) {
                for (auto& r : set)
                    if (range_contains(r, *want)) range = &r;
                if (!range) fail(generic, "requested IP " + want->to_string() + " is in no range");
                if (*want == range->gateway)
                    fail(generic, "failed to allocate for range " + std::to_string(idx) + ": requested ip " + want->to_string() +
                                      " is subnet's gateway");
                if (!store.reserve(*want, id, ifname, idx))
                    fail(generic, "failed to allocate for range " + std::to_string(idx) + ": requested IP address " +
                                      want->to_string() + " is not available in range set " + set_text(set));
                got = *want;
                mine.push_back(got);
            } else {
                if (!walked) existing = store.leases(), walked = true;
                for (auto& l : existing)
                    if (l.id == id && (l.ifname == ifname || l.ifname.empty()) && set_contains(set, l.ip))
                        fail(generic, "failed to allocate for range " + std::to_string(idx) + ": " + l.ip.to_string() +
                                          " has been allocated to " + id + ", duplicate allocation is not allowed");
                range_iterator iter(set, store.last_reserved(idx));
                bool ok = false;
                while (auto ip = iter.next()) {
                    if (store.reserve(*ip, id, ifname, idx)) {
                        got = *ip;
                        mine.push_back(got);
                        range = &iter.range();
                        ok = true;
                        break;
                    }
                }
                if (!ok)
                    fail(generic, "failed to allocate for range " + std::to_string(idx) +
                                      ": no IP addresses available in range set: " + set_text(set));
            }
            out.ips.push_back({ip_prefix{got, range->subnet.length}, range->gateway, std::nullopt});
        }
        if (!requested.empty()) {
            std::string list;
            for (auto& r : requested) list += " " + r.to_string();
            fail(generic, "failed to allocate all requested IPs:" + list);
        }
    } catch (...) {
        undo();
        throw;
    }
    for (auto& [dst, gw] : c.ipam.routes) out.routes.push_back({dst, gw});
    return out;
}

/// host-local DEL: releases every lease of (id, ifname). Never fails on absence.
inline std::vector<ip_address> host_local_del(const net_config& c, const std::string& id, const std::string& ifname) {
    lease_store store(c.ipam.data_dir, c.name);
    return store.release(id, ifname);
}

/// host-local CHECK: some lease of this container exists.
inline void host_local_check(const net_config& c, const std::string& id, const std::string& ifname) {
    lease_store store(c.ipam.data_dir, c.name);
    for (auto& l : store.leases())
        if (l.id == id && (l.ifname == ifname || l.ifname.empty())) return;
    fail(generic, "host-local: Failed to find address added by container " + id);
}

/// host-local GC: releases leases whose (id, ifname) is not a valid attachment.
inline std::size_t host_local_gc(const net_config& c) {
    lease_store store(c.ipam.data_dir, c.name);
    std::size_t n = 0;
    for (auto& l : store.leases()) {
        bool valid = false;
        for (auto& a : c.valid_attachments)
            valid = valid || (a.container_id == l.id && (l.ifname.empty() || a.ifname == l.ifname));
        if (!valid) store.remove(l), ++n;
    }
    return n;
}

}  // namespace rtnl::cni
