# ctest driver: compile and link the library example in README.md, so the README
# cannot drift from the API. The example sits between <!-- example:begin --> and
# <!-- example:end -->, inside a ```cpp fence.
file(READ ${SRC}/README.md readme)
string(REGEX MATCH "<!-- example:begin -->[^`]*```cpp\n(.*)```[^`]*<!-- example:end -->" _ "${readme}")
if(NOT CMAKE_MATCH_1)
    message(FATAL_ERROR "README.md has no example block")
endif()
file(WRITE ${BIN}/readme_example.cpp "${CMAKE_MATCH_1}")
execute_process(COMMAND ${CXX} -std=c++20 -Wall -Wextra -Werror -I${SRC}/include ${BIN}/readme_example.cpp
                        -o ${BIN}/readme_example -pthread
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "README example does not compile:\n${err}")
endif()

# The nf_tables example (README "nf_tables: container egress and NAT").
string(REGEX MATCH "<!-- nft-example:begin -->[^`]*```cpp\n(.*)```[^`]*<!-- nft-example:end -->" _ "${readme}")
if(NOT CMAKE_MATCH_1)
    message(FATAL_ERROR "README.md has no nft-example block")
endif()
file(WRITE ${BIN}/readme_nft_example.cpp "${CMAKE_MATCH_1}")
execute_process(COMMAND ${CXX} -std=c++20 -Wall -Wextra -Werror -I${SRC}/include ${BIN}/readme_nft_example.cpp
                        -o ${BIN}/readme_nft_example -pthread
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "README nft example does not compile:\n${err}")
endif()
