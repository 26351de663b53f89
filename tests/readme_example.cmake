# ctest driver: compile and link the library examples in README.md, so the README
# cannot drift from the API. Each example sits between <!-- NAME:begin --> and
# <!-- NAME:end -->, inside a ```cpp fence.
file(READ ${SRC}/README.md readme)

function(compile_readme_example name)  # [SYNTAX_ONLY]
    string(REGEX MATCH "<!-- ${name}:begin -->[^`]*```cpp\n(.*)```[^`]*<!-- ${name}:end -->" _ "${readme}")
    if(NOT CMAKE_MATCH_1)
        message(FATAL_ERROR "README.md has no ${name} block")
    endif()
    file(WRITE ${BIN}/readme_${name}.cpp "${CMAKE_MATCH_1}")
    if(ARGV1 STREQUAL "SYNTAX_ONLY")
        set(output -fsyntax-only)
    else()
        set(output -o ${BIN}/readme_${name} -pthread)
    endif()
    execute_process(COMMAND ${CXX} -std=c++20 -Wall -Wextra -Werror -I${SRC}/include ${BIN}/readme_${name}.cpp
                            ${output}
                    RESULT_VARIABLE rc ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "README ${name} does not compile:\n${err}")
    endif()
endfunction()

compile_readme_example(example)      # the rtnetlink library example
compile_readme_example(nft-example)  # nf_tables: container egress and NAT
# the Asio example, against the system's Boost: it is the one users copy
compile_readme_example(asio-example SYNTAX_ONLY)
