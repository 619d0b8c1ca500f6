/* base/hash.h - cryptographic digests through OpenSSL's libcrypto.
 *
 * SHA-1 gives public key tokens (ECMA-335 II.6.2.1.3); SHA-256 gives the
 * content hashes the cache records for assemblies and image files. */
#ifndef NG_HASH_H
#define NG_HASH_H

#include <stddef.h>
#include <stdint.h>

enum { NG_SHA1_LEN = 20, NG_SHA256_LEN = 32, NG_SHA256_HEX = 65 };

void ng_sha1(const void *data, size_t len, uint8_t out[NG_SHA1_LEN]);
void ng_sha256(const void *data, size_t len, uint8_t out[NG_SHA256_LEN]);
/* SHA-256 of a file's contents as 64 lowercase hex digits and a NUL.
 * Returns 0 or -errno. */
int ng_sha256_file(const char *path, char hex[NG_SHA256_HEX]);
/* Lowercase hex of len bytes into out (2*len+1 bytes). */
void ng_hex(const uint8_t *bytes, size_t len, char *out);

#endif
