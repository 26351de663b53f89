// tools/cni/result.hpp — the ADD result, printed in the shape of the requested version.
//
// 1.0.0 and 1.1.0: interfaces, ips[{interface,address,gateway}], routes, dns.
// 0.3.x and 0.4.0 add ips[].version ("4"/"6"). Interfaces come in the reference
// bridge plugin's order: bridge, host veth, container interface (with sandbox).
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "rtnl/address.hpp"
#include "tools/cni/error.hpp"
#include "tools/cni/version.hpp"

namespace rtnl::cni {

struct interface_result {
    std::string name;
    std::string mac;
    std::string sandbox;  // empty: in the runtime's namespace
};

struct ip_result {
    ip_prefix address;
    std::optional<ip_address> gateway;
    std::optional<int> interface;  // index into interfaces
};

struct route_result {
    ip_prefix dst;
    std::optional<ip_address> gw;
};

struct result {
    std::vector<interface_result> interfaces;
    std::vector<ip_result> ips;
    std::vector<route_result> routes;
    nlohmann::json dns = nlohmann::json::object();
};

inline nlohmann::json to_json(const result& r, std::string_view version) {
    using nlohmann::json;
    json out = json::object();
    out["cniVersion"] = version;
    if (!r.interfaces.empty()) {
        json a = json::array();
        for (auto& i : r.interfaces) {
            json o = {{"name", i.name}};
            if (!i.mac.empty()) o["mac"] = i.mac;
            if (!i.sandbox.empty()) o["sandbox"] = i.sandbox;
            a.push_back(std::move(o));
        }
        out["interfaces"] = std::move(a);
    }
    const bool with_family = compare_versions(version, "1.0.0") < 0;
    if (!r.ips.empty()) {
        json a = json::array();
        for (auto& ip : r.ips) {
            json o = {{"address", ip.address.to_string()}};
            if (with_family) o["version"] = ip.address.address.is_v4() ? "4" : "6";
            if (ip.gateway) o["gateway"] = ip.gateway->to_string();
            if (ip.interface) o["interface"] = *ip.interface;
            a.push_back(std::move(o));
        }
        out["ips"] = std::move(a);
    }
    if (!r.routes.empty()) {
        json a = json::array();
        for (auto& rt : r.routes) {
            json o = {{"dst", ip_prefix{rt.dst.network(), rt.dst.length}.to_string()}};
            if (rt.gw) o["gw"] = rt.gw->to_string();
            a.push_back(std::move(o));
        }
        out["routes"] = std::move(a);
    }
    out["dns"] = r.dns.is_null() ? json::object() : r.dns;
    return out;
}

/// Reads a result (prevResult, or a delegated IPAM plugin's answer) of any
/// supported version: ips with or without "version", interfaces optional.
inline result from_json(const nlohmann::json& j) {
    result r;
    auto prefix = [](const nlohmann::json& v, const char* what) {
        if (!v.is_string()) fail(decoding_failure, std::string("result: ") + what + " is not a string");
        auto p = ip_prefix::parse(v.get<std::string>());
        if (!p) fail(decoding_failure, std::string("result: invalid ") + what + " \"" + v.get<std::string>() + "\"");
        return *p;
    };
    auto address = [](const nlohmann::json& v, const char* what) {
        auto a = v.is_string() ? ip_address::parse(v.get<std::string>()) : std::nullopt;
        if (!a) fail(decoding_failure, std::string("result: invalid ") + what);
        return *a;
    };
    // every element must be an object and every named field a string: nlohmann's
    // value() would throw its own type_error, reaching the runtime as code 999
    auto object = [](const nlohmann::json& v, const char* what) -> const nlohmann::json& {
        if (!v.is_object()) fail(decoding_failure, std::string("result: ") + what + " is not an object");
        return v;
    };
    auto text = [](const nlohmann::json& o, const char* key) {
        auto f = o.find(key);
        if (f == o.end() || f->is_null()) return std::string();
        if (!f->is_string()) fail(decoding_failure, std::string("result: ") + key + " is not a string");
        return f->get<std::string>();
    };
    auto field = [](const nlohmann::json& o, const char* key) {
        auto f = o.find(key);
        return f == o.end() ? nlohmann::json() : *f;
    };
    if (auto it = j.find("interfaces"); it != j.end() && it->is_array())
        for (auto& v : *it) {
            auto& i = object(v, "interface");
            r.interfaces.push_back({text(i, "name"), text(i, "mac"), text(i, "sandbox")});
        }
    if (auto it = j.find("ips"); it != j.end() && it->is_array())
        for (auto& v : *it) {
            auto& i = object(v, "ip");
            ip_result ip{prefix(field(i, "address"), "address"), std::nullopt, std::nullopt};
            if (i.contains("gateway") && !i["gateway"].is_null()) ip.gateway = address(i["gateway"], "gateway");
            if (i.contains("interface") && i["interface"].is_number_integer()) ip.interface = i["interface"].get<int>();
            r.ips.push_back(std::move(ip));
        }
    if (auto it = j.find("routes"); it != j.end() && it->is_array())
        for (auto& v : *it) {
            auto& rt = object(v, "route");
            route_result x{prefix(field(rt, "dst"), "route dst"), std::nullopt};
            if (rt.contains("gw") && !rt["gw"].is_null()) x.gw = address(rt["gw"], "route gw");
            r.routes.push_back(std::move(x));
        }
    if (auto it = j.find("dns"); it != j.end() && it->is_object()) r.dns = *it;
    return r;
}

}  // namespace rtnl::cni
