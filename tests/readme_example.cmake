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

# The Asio example (between <!-- asio-example:begin --> and <!-- asio-example:end -->),
# against the system's Boost: it is the one users copy.
string(REGEX MATCH "<!-- asio-example:begin -->[^`]*```cpp\n(.*)```[^`]*<!-- asio-example:end -->" _ "${readme}")
if(NOT CMAKE_MATCH_1)
    message(FATAL_ERROR "README.md has no asio example block")
endif()
file(WRITE ${BIN}/readme_asio_example.cpp "${CMAKE_MATCH_1}")
execute_process(COMMAND ${CXX} -std=c++20 -Wall -Wextra -Werror -fsyntax-only -I${SRC}/include
                        ${BIN}/readme_asio_example.cpp
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "README asio example does not compile:\n${err}")
endif()
