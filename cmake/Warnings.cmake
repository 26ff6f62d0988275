# One INTERFACE target carries the warning flags (and the sanitizers) so that every
# library, executable and test is built the same way.
add_library(digikit_warnings INTERFACE)
target_compile_options(digikit_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual -Wnull-dereference
  -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough -Wcast-qual
  $<$<BOOL:${DIGIKIT_WERROR}>:-Werror>)

# GCC 12 at -O3 (Release) reports -Wrestrict inside libstdc++'s own operator+ for a
# literal plus a moved std::string (GCC bug 105651, fixed in 13): five false reports in
# metadata/ and hardware/, none in our code's own copies. Off for that compiler only.
target_compile_options(digikit_warnings INTERFACE
  $<$<AND:$<CXX_COMPILER_ID:GNU>,$<VERSION_LESS:$<CXX_COMPILER_VERSION>,13>>:-Wno-restrict>)

# The product compiles at -O1, as the sanitizers' authors advise: at -O0 the daemon spent
# most of its time in accessors that were never inlined. The tests' own code stays at -O0
# (tests/CMakeLists.txt): it is two thirds of the compile and little of the run. GCC's
# manual warns that the sanitizers raise false -Wmaybe-uninitialized (here inside
# libstdc++'s <regex>) and advises against -Werror with them: that one warning is left to
# the builds without sanitizers.
#
# UndefinedBehaviorSanitizer checks the product's code; the tests' own code (the targets
# under tests/, DIGIKIT_TEST_CODE) gets AddressSanitizer only: at -O0 UBSan's checks about
# doubled a test file's compile, and CI's budget is in the compile (docs/benchmarks.md).
define_property(DIRECTORY PROPERTY DIGIKIT_TEST_CODE INHERITED
                BRIEF_DOCS "Targets here are test code" FULL_DOCS "Set in tests/.")
define_property(TARGET PROPERTY DIGIKIT_TEST_CODE INHERITED
                BRIEF_DOCS "Test code" FULL_DOCS "From its directory's DIGIKIT_TEST_CODE.")
if(DIGIKIT_SANITIZE)
  set(DIGIKIT_SANITIZER_FLAGS -fsanitize=address,undefined -fno-omit-frame-pointer
      -fno-sanitize-recover=undefined)
  set(product_code "$<NOT:$<BOOL:$<TARGET_PROPERTY:DIGIKIT_TEST_CODE>>>")
  target_compile_options(digikit_warnings INTERFACE -fsanitize=address -fno-omit-frame-pointer
                         "$<${product_code}:-fsanitize=undefined;-fno-sanitize-recover=undefined>"
                         $<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>)
  target_link_options(digikit_warnings INTERFACE ${DIGIKIT_SANITIZER_FLAGS})
  add_compile_options(-O1)
endif()

# ThreadSanitizer (scripts/test.sh's second build; not with DIGIKIT_SANITIZE). -O1 keeps
# the suites it runs within their CI budget.
if(DIGIKIT_TSAN)
  set(DIGIKIT_TSAN_FLAGS -fsanitize=thread -fno-omit-frame-pointer -O1)
  target_compile_options(digikit_warnings INTERFACE ${DIGIKIT_TSAN_FLAGS})
  target_link_options(digikit_warnings INTERFACE -fsanitize=thread)
endif()
