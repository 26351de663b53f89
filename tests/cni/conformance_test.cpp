// rtnl-cni against the reference bridge + host-local plugins (the oracle), in twin
// sandboxes: the same configuration and steps run through both, each in a host
// namespace of its own; then results, errors, kernel state (links, addresses,
// routes, bridge ports, sysctls) and lease files must be the same up to what is
// random (MACs, host veth names). The variants are the ones reference/cni.md lists.
#include <gtest/gtest.h>

#include <functional>

#include "cni/cni_support.hpp"

namespace {

using namespace rtnl::test::cni;

struct step {
    std::string command;
    std::string container = "c1";
    std::string args{};
    bool with_prev = false;     // CHECK/DEL: the twin's own ADD result as prevResult
    std::string ifname = "eth0";
};

struct variant {
    std::string name;
    std::string conf;           // @NAME@ @TYPE@ @DATADIR@
    std::vector<step> steps;
    std::string version = "1.0.0";
    /// A step fails in both; the reference leaves its veth (or drops another
    /// container's lease) behind, so instead of comparing state, rtnl-cni must
    /// leave only what its successful steps made.
    bool reference_leaves_debris = false;
};

const std::string podman_conf = R"({"cniVersion":"@VERSION@","name":"@NAME@","type":"@TYPE@","bridge":"cni0",
  "isGateway":true,"ipMasq":false,"hairpinMode":false,
  "ipam":{"type":"host-local","dataDir":"@DATADIR@","ranges":[[{"subnet":"10.222.0.0/24","gateway":"10.222.0.1"}]],
          "routes":[{"dst":"0.0.0.0/0"}]}})";

std::string with(const std::string& extra_keys, const std::string& ipam = R"("ranges":[[{"subnet":"10.222.0.0/24"}]])") {
    return R"({"cniVersion":"@VERSION@","name":"@NAME@","type":"@TYPE@","bridge":"cni0")" +
           (extra_keys.empty() ? "" : "," + extra_keys) + R"(,"ipam":{"type":"host-local","dataDir":"@DATADIR@",)" + ipam + "}}";
}

const std::vector<step> add_check_del = {{"ADD"}, {"CHECK", "c1", "", true}, {"DEL", "c1", "", true}};
const std::vector<step> add_only = {{"ADD"}};
const std::vector<step> two_then_del = {{"ADD"}, {"ADD", "c2"}, {"DEL", "c1", "", true}, {"ADD", "c3"}};

std::vector<variant> variants() {
    return {
        {"podman", podman_conf, add_check_del},
        {"podman_two_containers", podman_conf, two_then_del},
        {"default_gateway", with(R"("isDefaultGateway":true)"), add_only},
        {"default_gateway_and_default_route", with(R"("isDefaultGateway":true)",
             R"("ranges":[[{"subnet":"10.222.0.0/24"}]],"routes":[{"dst":"0.0.0.0/0"}])"), add_only, "1.0.0", true},
        {"no_gateway", with(R"("isGateway":false)"), add_only},
        {"layer2_only", R"({"cniVersion":"@VERSION@","name":"@NAME@","type":"@TYPE@","bridge":"cni0"})", add_only},
        {"mtu", with(R"("isGateway":true,"mtu":1400)"), add_only},
        {"hairpin", with(R"("isGateway":true,"hairpinMode":true)"), add_only},
        {"promisc", with(R"("isGateway":true,"promiscMode":true)"), add_only},
        {"hairpin_and_promisc", with(R"("hairpinMode":true,"promiscMode":true)"), add_only},
        {"mac_runtime_config", with(R"("isGateway":true,"runtimeConfig":{"mac":"02:42:ac:11:00:09"})"), add_only},
        {"mac_args", with(R"("isGateway":true,"args":{"cni":{"mac":"02:42:ac:11:00:0a"}})"), add_only},
        {"mac_cni_args", with(R"("isGateway":true)"), {{"ADD", "c1", "IgnoreUnknown=1;MAC=02:42:ac:11:00:0b"}}},
        {"ip_cni_args", with(R"("isGateway":true)"), {{"ADD", "c1", "IgnoreUnknown=1;IP=10.222.0.50"}}},
        {"ip_runtime_config", with(R"("isGateway":true,"runtimeConfig":{"ips":["10.222.0.60/24"]})"), add_only},
        {"range_start_end_gateway", with(R"("isGateway":true)",
             R"("ranges":[[{"subnet":"10.222.0.0/24","rangeStart":"10.222.0.100","rangeEnd":"10.222.0.101","gateway":"10.222.0.254"}]])"),
         {{"ADD"}, {"ADD", "c2"}, {"ADD", "c3"}}, "1.0.0", true},
        {"old_style_subnet", with(R"("isGateway":true)", R"("subnet":"10.222.0.0/24","gateway":"10.222.0.1","routes":[{"dst":"10.99.0.0/16"}])"), add_only},
        {"ipv6", with(R"("isGateway":true)", R"("ranges":[[{"subnet":"fd00:1::/64"}]],"routes":[{"dst":"::/0"}])"), add_check_del},
        {"dual_stack", with(R"("isDefaultGateway":true)", R"("ranges":[[{"subnet":"10.222.0.0/24"}],[{"subnet":"fd00:1::/64"}]])"), add_check_del},
        {"enabledad", with(R"("isGateway":true,"enabledad":true)", R"("ranges":[[{"subnet":"fd00:1::/64"}]])"), add_only},
        {"dns_passthrough", with(R"("isGateway":true,"dns":{"nameservers":["10.1.1.1"],"search":["example.org"]})"), add_only},
        {"delegated_static_ipam", R"({"cniVersion":"@VERSION@","name":"@NAME@","type":"@TYPE@","bridge":"cni0","isGateway":true,
            "ipam":{"type":"static","addresses":[{"address":"10.222.0.9/24","gateway":"10.222.0.1"}],"routes":[{"dst":"10.98.0.0/16","gw":"10.222.0.1"}]}})",
         add_check_del},
        {"duplicate_add", podman_conf, {{"ADD"}, {"ADD"}}, "1.0.0", true},
        {"del_twice", podman_conf, {{"ADD"}, {"DEL"}, {"DEL"}}},
    };
}

class Conformance : public CniTest, public ::testing::WithParamInterface<variant> {};

/// Runs the variant's steps through both plugins; compares as it goes.
void run_twins(CniTest& t, const variant& v, const std::function<int(const std::string&)>& make_ns) {
    (void)t;
    const std::string twin[2] = {"ref", "rtnl"};
    const std::string plugin[2] = {ref_bridge, rtnl_cni};
    const std::string type[2] = {"bridge", "rtnl-cni"};
    int host[2] = {make_ns("host-ref"), make_ns("host-rtnl")};
    std::map<std::string, int> cont_fd[2];
    std::map<std::string, json> last_add[2];
    for (std::size_t si = 0; si < v.steps.size(); ++si) {
        const step& s = v.steps[si];
        json out[2];
        int rc[2];
        for (int k = 0; k < 2; ++k) {
            const std::string cname = twin[k] + "-" + s.container;
            if (!cont_fd[k].count(s.container)) cont_fd[k][s.container] = make_ns(cname);
            std::string text = config(v.conf, "net", type[k], "/run/leases-" + twin[k]);
            for (std::size_t p; (p = text.find("@VERSION@")) != std::string::npos;) text.replace(p, 9, v.version);
            json conf = json::parse(text);
            if (s.with_prev && last_add[k].count(s.container)) conf["prevResult"] = last_add[k][s.container];
            invocation in{.command = s.command, .container_id = s.container, .netns = "/run/netns/" + cname,
                          .ifname = s.ifname, .args = s.args, .stdin_text = conf.dump()};
            auto r = run_plugin(plugin[k], in, host[k]);
            rc[k] = r.status;
            out[k] = normalise_result(r.parsed(), "/run/netns/" + cname);
            if (s.command == "ADD" && r.status == 0) last_add[k][s.container] = r.parsed();
            if (r.status != 0) out[k] = json{{"code", out[k].value("code", -1)}};  // messages may differ
            SCOPED_TRACE(twin[k] + " step " + std::to_string(si) + " " + s.command + ": " + r.out + r.err);
        }
        EXPECT_EQ(rc[0] == 0, rc[1] == 0) << v.name << " step " << si << " " << s.command;
        if (s.command == "ADD" && rc[0] == 0) {
            // the reference pretty-prints and omits cniVersion-less keys; compare as JSON
            EXPECT_EQ(out[0].dump(2), out[1].dump(2)) << v.name << " step " << si;
        } else if (rc[0] != 0) {
            EXPECT_EQ(out[0].dump(), out[1].dump()) << v.name << " step " << si << " (error codes)";
        }
    }
    if (v.reference_leaves_debris) {
        for (auto& [c, fd] : cont_fd[1])
            if (!last_add[1].count(c)) {
                EXPECT_EQ(link_names(fd), std::vector<std::string>{"lo"}) << v.name << ": left in " << c;
            }
        std::size_t n = 0;
        for (auto& [f, body] : leases("/run/leases-rtnl/net")) n += f.rfind("last_reserved_ip", 0) != 0;
        EXPECT_EQ(n, last_add[1].size()) << v.name << ": leases";
        std::size_t ports = 0;
        for (auto& l : link_names(host[1])) ports += l != "lo" && l != "cni0";
        EXPECT_EQ(ports, last_add[1].size()) << v.name << ": host veths";
        return;
    }
    EXPECT_EQ(snapshot("host-ref", host[0]).dump(2), snapshot("host-rtnl", host[1]).dump(2)) << v.name << ": host state";
    for (auto& [c, fd] : cont_fd[0])
        EXPECT_EQ(snapshot("ref-" + c, fd).dump(2), snapshot("rtnl-" + c, cont_fd[1][c]).dump(2)) << v.name << ": container " << c;
    EXPECT_EQ(leases("/run/leases-ref/net"), leases("/run/leases-rtnl/net")) << v.name << ": lease files";
}

TEST_P(Conformance, SameResultAndKernelStateAsReference) {
    if (auto why = reference_missing(); !why.empty()) FAIL() << why;
    run_twins(*this, GetParam(), [this](const std::string& n) { return make_ns(n); });
}

INSTANTIATE_TEST_SUITE_P(Variants, Conformance, ::testing::ValuesIn(variants()),
                         [](const auto& p) { return p.param.name; });

// ---- spec-version matrix: results shaped per version --------------------------

std::vector<variant> versions() {
    std::vector<variant> out;
    for (const char* v : {"0.3.0", "0.3.1", "0.4.0", "1.0.0"}) {
        variant x{std::string("v") + v, podman_conf, add_check_del, v};
        for (auto& c : x.name) c = c == '.' ? '_' : c;
        out.push_back(x);
    }
    return out;
}

class SpecVersion : public Conformance {};

TEST_P(SpecVersion, ResultShapedAsReference) {
    if (auto why = reference_missing(); !why.empty()) FAIL() << why;
    run_twins(*this, GetParam(), [this](const std::string& n) { return make_ns(n); });
}

INSTANTIATE_TEST_SUITE_P(Versions, SpecVersion, ::testing::ValuesIn(versions()),
                         [](const auto& p) { return p.param.name; });

// VERSION is answered before glibc starts (tools/cni/version_entry.cpp) for JSON
// it can vouch for, and by main() for the rest (with the stdin already read handed
// over): both give the answer nlohmann's parse gives — the request's cniVersion
// when it is a top-level string we speak (the last one of duplicates), else 1.1.0.
TEST_F(CniTest, VersionAnswerOnEveryPath) {
    const std::string big_pad(100 * 1024, 'x');  // beyond the early reader's 64 KiB
    const std::pair<std::string, std::string> cases[] = {
        {R"({"cniVersion":"1.0.0"})", "1.0.0"},
        {" \n{ \"cniVersion\" : \"0.3.1\" }\n", "0.3.1"},
        {R"({"name":"n","plugins":[{"type":"bridge","mtu":1500,"ok":[true,false,null,-2.5,"a\"b"]}],"cniVersion":"0.4.0"})", "0.4.0"},
        {R"({"cniVersion":"9.9.9"})", "1.1.0"},
        {R"({"cniVersion":1})", "1.1.0"},
        {R"({"inner":{"cniVersion":"0.3.0"}})", "1.1.0"},
        {R"(["cniVersion","0.3.0"])", "1.1.0"},
        {"not json", "1.1.0"},
        {"", "1.1.0"},
        {R"({"cniVersion":"0.3.0"} trailing)", "1.1.0"},
        // handed to main(): duplicates, \u escapes, non-ASCII, exponents, long input
        {R"({"cniVersion":"1.0.0","cniVersion":"0.3.0"})", "0.3.0"},
        {R"({"cniVersion":"0.4.0","x":"\u00e9"})", "0.4.0"},
        {"{\"cniVersion\":\"0.4.0\",\"x\":\"\xc3\xa9\"}", "0.4.0"},
        {R"({"cniVersion":"1.0.0","mtu":1e3})", "1.0.0"},
        {R"({"cniVersion":"1.0.0","pad":")" + big_pad + R"("})", "1.0.0"},
        {R"({"pad":")" + big_pad + R"(","cniVersion":"0.3.1"})", "0.3.1"},
    };
    for (auto& [input, want] : cases) {
        invocation in{.command = "VERSION", .netns = "dummy", .ifname = "dummy", .stdin_text = input};
        auto r = run_plugin(rtnl_cni, in);
        const std::string shown = input.substr(0, 60);
        ASSERT_EQ(r.status, 0) << shown;
        EXPECT_EQ(r.err, "") << shown;
        EXPECT_EQ(r.out, R"({"cniVersion":")" + want + R"(","supportedVersions":["0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]})" "\n")
            << shown;
    }
}

// 1.1.0 is beyond the reference 1.1.1 build: the shape is 1.0.0's with the version echoed.
TEST_F(CniTest, Version110ResultAndCommands) {
    const int host = make_ns("host");
    make_ns("c1");
    std::string text = config(podman_conf, "net", "rtnl-cni", "/run/leases");
    text.replace(text.find("@VERSION@"), 9, "1.1.0");
    invocation in{.command = "ADD", .netns = "/run/netns/c1", .stdin_text = text};
    auto r = run_plugin(rtnl_cni, in, host);
    ASSERT_EQ(r.status, 0) << r.out;
    auto j = r.parsed();
    EXPECT_EQ(j["cniVersion"], "1.1.0");
    EXPECT_EQ(j["ips"][0]["interface"], 2);
    EXPECT_FALSE(j["ips"][0].contains("version"));
    EXPECT_EQ(j["interfaces"].size(), 3u);
    in.command = "STATUS";
    r = run_plugin(rtnl_cni, in, host);
    EXPECT_EQ(r.status, 0) << r.out;
    in.command = "VERSION";
    in.stdin_text = R"({"cniVersion":"1.1.0"})";
    r = run_plugin(rtnl_cni, in, host);
    ASSERT_EQ(r.status, 0);
    EXPECT_EQ(r.parsed()["cniVersion"], "1.1.0");
    EXPECT_EQ(r.parsed()["supportedVersions"], json({"0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"}));
    // GC and STATUS need 1.1.0; CHECK needs 0.4.0
    for (auto [cmd, v] : {std::pair{"GC", "1.0.0"}, std::pair{"STATUS", "1.0.0"}, std::pair{"CHECK", "0.3.1"}}) {
        in.command = cmd;
        in.stdin_text = config(podman_conf, "net", "rtnl-cni", "/run/leases");
        in.stdin_text.replace(in.stdin_text.find("@VERSION@"), 9, v);
        r = run_plugin(rtnl_cni, in, host);
        EXPECT_EQ(r.status, 1) << cmd;
        EXPECT_EQ(r.parsed().value("code", 0), 1) << cmd << ": " << r.out;
    }
}

}  // namespace
