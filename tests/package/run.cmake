# ctest driver: install the build tree into a scratch prefix, then configure,
# build and run tests/package against that prefix only.
set(work ${BIN}/package-test)
file(REMOVE_RECURSE ${work})
function(step)
    execute_process(COMMAND ${ARGV} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "failed: ${ARGV}\n${out}\n${err}")
    endif()
    message(STATUS "${out}")
endfunction()
step(${CMAKE_COMMAND} --install ${BIN} --prefix ${work}/prefix)
step(${CMAKE_COMMAND} -S ${SRC}/tests/package -B ${work}/build -G Ninja -DCMAKE_PREFIX_PATH=${work}/prefix
     -DCMAKE_CXX_COMPILER=${CXX})
step(${CMAKE_COMMAND} --build ${work}/build)
step(${work}/build/consumer)
