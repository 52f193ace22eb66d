# Script mode helper for honeyvt_embed: writes the file's bytes as a hex array.
file(READ "${INPUT}" content HEX)
string(LENGTH "${content}" hex_len)
math(EXPR byte_len "${hex_len} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${content}")
file(WRITE "${HEADER}" "#pragma once\n#include <string_view>\nnamespace honeyvt::embedded {\nextern const std::string_view ${SYMBOL};\n}\n")
file(WRITE "${SOURCE}" "#include \"embedded/${SYMBOL}.h\"\nnamespace honeyvt::embedded {\nnamespace {\nconstexpr char kData[] = {${bytes} 0};\n}\nconst std::string_view ${SYMBOL}(kData, ${byte_len});\n}\n")
