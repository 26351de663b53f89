// tools/common/link_names.hpp — interface name ↔ ifindex, without a round trip
// per use.
//
// Requests that name a link by IFLA_IFNAME need no lookup at all (the kernel
// resolves the name). Addresses, routes, masters and renames need the ifindex;
// this cache answers them. Its contract is that an entry is never wrong:
//   * entries come only from the kernel (a dump, a GETLINK, or a show command's dump);
//   * anything that can make an entry wrong removes it *before* the request is
//     sent — a rename, a delete (and a veth's peer with it), a move to another
//     namespace; deleting a whole group, or a delete whose peer is unknown,
//     clears everything;
//   * a miss asks the kernel with one SIOCGIFINDEX ioctl (no netlink round trip).
//     Before asking, `before_kernel_lookup` runs, so queued requests that may
//     create, delete, rename or move links reach the kernel first.
// Links created by our own requests need no entry until someone uses them.
#pragma once

#include <linux/if.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>

#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "rtnl/link.hpp"
#include "rtnl/ops.hpp"
#include "rtnl/socket.hpp"

namespace rtnl::tools {

class link_names {
public:
    struct entry {
        std::string name;
        std::optional<unsigned> flags{};  ///< unknown when learnt from an ioctl
        int peer = 0;                     ///< IFLA_LINK when in the same namespace (veth peer), else 0
    };

    void attach(socket* nl, std::function<void()> before_kernel_lookup) {
        nl_ = nl;
        before_ = std::move(before_kernel_lookup);
    }

    /// The ifindex of `name`, asking the kernel on a miss; 0 when there is none.
    /// A miss costs one SIOCGIFINDEX ioctl on the netlink socket (answered in the
    /// socket's namespace, no netlink round trip); names longer than a primary
    /// name can be (alternative names) take one GETLINK.
    int index(std::string_view name) {
        if (auto it = by_name_.find(std::string(name)); it != by_name_.end()) return it->second;
        if (!nl_) return 0;
        if (before_) before_();
        if (name.empty() || name.size() >= IFNAMSIZ) {
            std::error_code ec;
            wire::buffer b;
            wire::writer w(b);
            auto msg = w.begin(RTM_GETLINK, NLM_F_REQUEST);
            w.header(ifinfomsg{});
            w.put(ifla::ext_mask, std::uint32_t{RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS});
            w.put(ifla::alt_ifname, name);
            msg.close();
            int found = 0;
            nl_->query(b, [&](const wire::message_view& m) {
                link_view v(m);
                if (v.valid()) found = v.index();
            }, ec);
            return ec ? 0 : found;
        }
        ifreq req{};
        std::memcpy(req.ifr_name, name.data(), name.size());
        if (::ioctl(nl_->native_handle(), SIOCGIFINDEX, &req) != 0) return 0;
        remember_name(req.ifr_ifindex, std::string(name));
        return req.ifr_ifindex;
    }

    /// iproute2's ll_index_to_name: the cached name, else a GETLINK by index, else "ifN".
    std::string name(int index) {
        if (index == 0) return "*";
        if (auto it = by_index_.find(index); it != by_index_.end()) return it->second.name;
        if (nl_) {
            if (before_) before_();
            std::error_code ec;
            if (auto l = link::get(*nl_, index, ec)) {
                remember(*l);
                return l->name;
            }
        }
        return "if" + std::to_string(index);
    }

    /// iproute2's ll_index_to_flags: cached flags only (nullopt when unknown).
    std::optional<unsigned> flags(int index) const {
        if (auto it = by_index_.find(index); it != by_index_.end()) return it->second.flags;
        return std::nullopt;
    }

    void remember(int index, std::string name, std::optional<unsigned> flags, int peer) {
        forget_index(index);
        if (auto it = by_name_.find(name); it != by_name_.end()) by_index_.erase(it->second);
        by_name_[name] = index;
        by_index_[index] = entry{std::move(name), flags, peer};
    }
    /// A name learnt without the link's details (a veth peer then is unknown, so
    /// deleting this link clears the whole cache).
    void remember_name(int index, std::string name) { remember(index, std::move(name), std::nullopt, -1); }
    void remember(const link_info& l) {
        remember(l.index, l.name, l.flags, l.link_netnsid ? 0 : l.link.value_or(0));
    }
    void remember(const link_view& v) {
        remember(v.index(), std::string(v.name()), v.flags(), v.link_netnsid() ? 0 : v.link().value_or(0));
    }

    // ---- invalidation (before a request that may change what an entry says) ----

    /// The link called `name` is about to be deleted or moved away: drop it and,
    /// for a veth, its peer (deleted with it). Unknown link: drop everything.
    void forget_with_peer(std::string_view name) {
        auto it = by_name_.find(std::string(name));
        if (it == by_name_.end()) {
            clear();
            return;
        }
        const int index = it->second;
        const int peer = by_index_[index].peer;
        if (peer < 0) {
            clear();
            return;
        }
        forget_index(index);
        if (peer) forget_index(peer);
    }
    /// `name` is about to change (rename source or target).
    void forget(std::string_view name) {
        if (auto it = by_name_.find(std::string(name)); it != by_name_.end()) forget_index(it->second);
    }
    void forget_index(int index) {
        auto it = by_index_.find(index);
        if (it == by_index_.end()) return;
        by_name_.erase(it->second.name);
        by_index_.erase(it);
    }
    void clear() {
        by_name_.clear();
        by_index_.clear();
    }

    /// Fills the cache from one dump of every link (what `bridge` does first).
    void load_all() {
        if (!nl_) return;
        std::error_code ec;
        auto all = link::list(*nl_, {}, ec);
        if (ec) return;
        by_name_.clear();
        by_index_.clear();
        for (auto& l : all) remember(l);
    }

private:
    socket* nl_ = nullptr;
    std::function<void()> before_;
    std::unordered_map<std::string, int> by_name_;
    std::unordered_map<int, entry> by_index_;
};

}  // namespace rtnl::tools
