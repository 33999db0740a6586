// OpenSSL's libcrypto, for SHA-256 only. The low-level SHA256_* calls are marked deprecated in
// OpenSSL 3 (in favour of EVP), but they run the same assembly, and their context is a plain C
// struct that Swift can copy by value — which the `SHA256` value type relies on — without the
// per-digest provider fetch of EVP.
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/sha.h>
