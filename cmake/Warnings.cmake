# One INTERFACE target every ssogate target links: the same warnings everywhere.
add_library(ssogate_warnings INTERFACE)
target_compile_options(ssogate_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Woverloaded-virtual -Wconversion -Wsign-conversion -Wnull-dereference -Wformat=2
  -Wimplicit-fallthrough -Wno-unused-parameter)
option(SSOGATE_WERROR "Treat warnings as errors" OFF)
if(SSOGATE_WERROR)
  target_compile_options(ssogate_warnings INTERFACE -Werror)
endif()
