# rtnl_warnings(<target>): the project's warning set; warnings are errors.
function(rtnl_warnings target)
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Werror -Wshadow -Wnon-virtual-dtor
        -Wold-style-cast -Wcast-align -Wunused -Woverloaded-virtual -Wnull-dereference -Wimplicit-fallthrough
        # GCC 12 at -O3 reports std::string concatenation as overlapping memcpy
        # and out-of-bounds (GCC bugs 105651, 106199; fixed in 13): visible, not fatal.
        $<$<AND:$<CXX_COMPILER_ID:GNU>,$<VERSION_LESS:$<CXX_COMPILER_VERSION>,13>>:-Wno-error=restrict -Wno-error=stringop-overflow>)
    # Sanitizer instrumentation makes GCC report -Wmaybe-uninitialized inside
    # libstdc++ (std::regex, std::function) where nothing is uninitialised; the
    # dev build keeps the warning fatal.
    if(RTNL_SANITIZER_BUILD)
        target_compile_options(${target} PRIVATE -Wno-error=maybe-uninitialized)
    endif()
endfunction()

# rtnl_asio_warnings(<target>): the same, for targets that use rtnl::asio. With
# optimisation GCC 12 reports -Wnull-dereference inside Boost.Asio 1.74's
# scheduler after inlining it into our code (a system header's code, flagged
# late, so the system-header exemption does not apply); that one is off.
function(rtnl_asio_warnings target)
    rtnl_warnings(${target})
    target_compile_options(${target} PRIVATE -Wno-null-dereference)
    # GCC 12 with sanitizers and optimisation flags Boost 1.81's coroutine frame
    # (awaitable_frame_base::operator delete) as a mismatched new/delete: the
    # frame's own operator new allocated it. Visible, not fatal, there only.
    if(RTNL_SANITIZER_BUILD)
        target_compile_options(${target} PRIVATE -Wno-error=mismatched-new-delete)
    endif()
endfunction()
