// tools/cni/env.hpp — the CNI_* environment of one invocation (SPEC.md "Parameters").
#pragma once

#include <cctype>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tools/cni/error.hpp"

namespace rtnl::cni {

struct environment {
    std::string command;       // CNI_COMMAND
    std::string container_id;  // CNI_CONTAINERID
    std::string netns;         // CNI_NETNS (a path)
    std::string ifname;        // CNI_IFNAME
    std::string args;          // CNI_ARGS
    std::string path;          // CNI_PATH
};

inline std::string getenv_or_empty(const char* name) {
    const char* v = std::getenv(name);
    return v ? std::string(v) : std::string();
}

inline environment read_environment() {
    return {getenv_or_empty("CNI_COMMAND"), getenv_or_empty("CNI_CONTAINERID"), getenv_or_empty("CNI_NETNS"),
            getenv_or_empty("CNI_IFNAME"),  getenv_or_empty("CNI_ARGS"),        getenv_or_empty("CNI_PATH")};
}

/// The variables each command needs, checked as libcni's skel checks them (one
/// error naming every missing variable, code 4).
inline void require(const environment& e) {
    std::vector<std::string_view> missing;
    const bool add_check = e.command == "ADD" || e.command == "CHECK";
    const bool del = e.command == "DEL";
    if ((add_check || del) && e.container_id.empty()) missing.push_back("CNI_CONTAINERID");
    if (add_check && e.netns.empty()) missing.push_back("CNI_NETNS");
    if ((add_check || del) && e.ifname.empty()) missing.push_back("CNI_IFNAME");
    if (!missing.empty()) {
        std::string list;
        for (auto m : missing) list += (list.empty() ? "" : ",") + std::string(m);
        fail(invalid_environment, "required env variables [" + list + "] missing");
    }
    // SPEC: container id is alphanumeric plus '_', '.', '-'; must start alphanumeric.
    if (!e.container_id.empty()) {
        bool ok = std::isalnum(static_cast<unsigned char>(e.container_id[0])) != 0;
        for (char c : e.container_id)
            ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-');
        if (!ok) fail(invalid_environment, "invalid characters in containerID", e.container_id);
    }
    if (!e.ifname.empty()) {
        if (e.ifname.size() >= 16)
            fail(invalid_environment, "interface name is too long", "interface name should be less than 16 characters");
        if (e.ifname == "." || e.ifname == "..")
            fail(invalid_environment, "interface name is . or ..");
        for (char c : e.ifname)
            if (c == '/' || c == ':' || std::isspace(static_cast<unsigned char>(c)))
                fail(invalid_environment, "interface name contains / or : or whitespace characters");
    }
}

/// CNI_ARGS: "K1=V1;K2=V2". Unknown keys are ignored (IgnoreUnknown is implied:
/// rtnl-cni reads only the keys it knows, IP and MAC).
inline std::optional<std::string> cni_arg(std::string_view args, std::string_view key) {
    while (!args.empty()) {
        auto semi = args.find(';');
        std::string_view kv = args.substr(0, semi);
        auto eq = kv.find('=');
        if (eq != std::string_view::npos && kv.substr(0, eq) == key) return std::string(kv.substr(eq + 1));
        if (semi == std::string_view::npos) break;
        args.remove_prefix(semi + 1);
    }
    return std::nullopt;
}

/// CNI_ARGS that are not "K=V" pairs are refused (code 4), as libcni's parser does.
inline void check_cni_args(std::string_view args) {
    while (!args.empty()) {
        auto semi = args.find(';');
        std::string_view kv = args.substr(0, semi);
        if (!kv.empty() && kv.find('=') == std::string_view::npos)
            fail(invalid_environment, "ARGS: invalid pair \"" + std::string(kv) + "\"");
        if (semi == std::string_view::npos) break;
        args.remove_prefix(semi + 1);
    }
}

}  // namespace rtnl::cni
