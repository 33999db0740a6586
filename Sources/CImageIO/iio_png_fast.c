/*
 * PNG fast path: 8-bit RGB, non-interlaced, no tRNS — what scanners and our own writer
 * produce for tiles. libpng spends ~80% of such a decode in zlib's inflate; here
 *  - the chunks are walked directly and every chunk CRC is checked (ISA-L's CRC-32);
 *  - the zlib header is checked by libpng's and zlib's rules, then ISA-L inflates the IDAT
 *    run chunk by chunk into one (3w+1)·h buffer, the Adler-32 trailer verified and the size
 *    required to be exact;
 *  - every filter byte is checked, then the rows are unfiltered straight into the caller's
 *    buffer (SSE2 where the target has it, the plain C reference otherwise).
 * Any other variant and anything irregular (a CRC, the zlib stream, sizes, chunk order,
 * limits) returns IIO_PNG_FAST_FALLBACK with nothing written to the output; iio_png_decode
 * then runs libpng on the same bytes, so the pixels or the error message are libpng's own.
 * The rules below are at least as strict as libpng's for everything this path accepts.
 */
#include "iio_internal.h"
#include <isa-l/crc.h>
#include <isa-l/igzip_lib.h>
#include <stdlib.h>
#if defined(__SSE2__)
#include <emmintrin.h> /* SSE2 only: part of the x86-64 baseline, so the portable build has it */
#endif

#define FAST_USER_DIMENSION_MAX 1000000u  /* libpng's PNG_USER_WIDTH_MAX / PNG_USER_HEIGHT_MAX */
#define FAST_CHUNK_MALLOC_MAX 8000000u    /* libpng's PNG_USER_CHUNK_MALLOC_MAX */
#define FAST_CHUNK_LENGTH_MAX 0x7fffffffu /* PNG_UINT_31_MAX */
/* Largest (3w+1)·h handled here (~89 MP); libpng, which needs one row, decodes bigger images
 * so that the extra buffer never doubles the memory of a huge decode. */
#define FAST_IMAGE_DATA_MAX ((size_t)256 << 20)
#define FAST_PADDING 16

static inline uint32_t be32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
#define TAG(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))

static iio_png_fast_result decline(char *why, size_t capacity, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static iio_png_fast_result decline(char *why, size_t capacity, const char *fmt, ...) {
    if (why && capacity) {
        va_list args;
        va_start(args, fmt);
        vsnprintf(why, capacity, fmt, args);
        va_end(args);
    }
    return IIO_PNG_FAST_FALLBACK;
}

/* ------------------------------------------------------------ unfiltering, bpp = 3 */

/* Plain C: the reference, and the path on targets without SSE2. */
static void sub3_c(const uint8_t *s, uint8_t *d, size_t rb) {
    for (size_t i = 0; i < 3; ++i) d[i] = s[i];
    for (size_t i = 3; i < rb; ++i) d[i] = (uint8_t)(s[i] + d[i - 3]);
}
static void up_c(const uint8_t *s, const uint8_t *p, uint8_t *d, size_t rb) {
    for (size_t i = 0; i < rb; ++i) d[i] = (uint8_t)(s[i] + p[i]);
}
static void avg3_c(const uint8_t *s, const uint8_t *p, uint8_t *d, size_t rb) {
    for (size_t i = 0; i < 3; ++i) d[i] = (uint8_t)(s[i] + (p[i] >> 1));
    for (size_t i = 3; i < rb; ++i) d[i] = (uint8_t)(s[i] + ((d[i - 3] + p[i]) >> 1));
}
static void paeth3_c(const uint8_t *s, const uint8_t *p, uint8_t *d, size_t rb) {
    for (size_t i = 0; i < 3; ++i) d[i] = (uint8_t)(s[i] + p[i]);
    for (size_t i = 3; i < rb; ++i) {
        int a = d[i - 3], b = p[i], c = p[i - 3];
        int pa = abs(b - c), pb = abs(a - c), pc = abs(a + b - 2 * c);
        int pred = (pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c);
        d[i] = (uint8_t)(s[i] + pred);
    }
}

#if defined(__SSE2__)
static inline __m128i ld4(const uint8_t *p) {
    int32_t v;
    memcpy(&v, p, 4);
    return _mm_cvtsi32_si128(v);
}
static inline void st4(uint8_t *p, __m128i v) {
    int32_t t = _mm_cvtsi128_si32(v);
    memcpy(p, &t, 4);
}
static inline void st3(uint8_t *p, __m128i v) {
    int32_t t = _mm_cvtsi128_si32(v);
    memcpy(p, &t, 3);
}

/* One 3-byte pixel per step, loaded as 4 bytes: the 4th always exists (the next row's
 * filter byte or the padding after the filtered data; the next output row, or the zero
 * row's padding, behind `prev`). Every pixel but the row's last is stored as 4 bytes too;
 * the spilled byte is overwritten by the next pixel. */
static void sub3_sse2(const uint8_t *src, uint8_t *dst, size_t rb) {
    __m128i a = _mm_setzero_si128();
    size_t i = 0;
    for (; i + 3 < rb; i += 3) {
        a = _mm_add_epi8(a, ld4(src + i));
        st4(dst + i, a);
    }
    a = _mm_add_epi8(a, ld4(src + i));
    st3(dst + i, a);
}

static void up_sse2(const uint8_t *src, const uint8_t *prev, uint8_t *dst, size_t rb) {
    size_t i = 0;
    for (; i + 16 <= rb; i += 16)
        _mm_storeu_si128((__m128i *)(void *)(dst + i),
                         _mm_add_epi8(_mm_loadu_si128((const __m128i *)(const void *)(src + i)),
                                      _mm_loadu_si128((const __m128i *)(const void *)(prev + i))));
    for (; i < rb; ++i) dst[i] = (uint8_t)(src[i] + prev[i]);
}

static void avg3_sse2(const uint8_t *src, const uint8_t *prev, uint8_t *dst, size_t rb) {
    const __m128i one = _mm_set1_epi8(1);
    __m128i a = _mm_setzero_si128();
    for (size_t i = 0;; i += 3) {
        __m128i b = ld4(prev + i);
        /* floor((a + b) / 2) = pavgb(a, b) − ((a ^ b) & 1) */
        __m128i avg = _mm_sub_epi8(_mm_avg_epu8(a, b), _mm_and_si128(_mm_xor_si128(a, b), one));
        a = _mm_add_epi8(avg, ld4(src + i));
        if (i + 3 >= rb) {
            st3(dst + i, a);
            break;
        }
        st4(dst + i, a);
    }
}

static inline __m128i abs16(__m128i x) { return _mm_max_epi16(x, _mm_sub_epi16(_mm_setzero_si128(), x)); }
static inline __m128i select16(__m128i mask, __m128i t, __m128i f) {
    return _mm_or_si128(_mm_and_si128(mask, t), _mm_andnot_si128(mask, f));
}

static void paeth3_sse2(const uint8_t *src, const uint8_t *prev, uint8_t *dst, size_t rb) {
    const __m128i zero = _mm_setzero_si128();
    __m128i a = zero, c = zero; /* 16-bit lanes */
    for (size_t i = 0;; i += 3) {
        __m128i b = _mm_unpacklo_epi8(ld4(prev + i), zero);
        __m128i x = _mm_unpacklo_epi8(ld4(src + i), zero);
        __m128i pa = _mm_sub_epi16(b, c);   /* p − a = b − c */
        __m128i pb = _mm_sub_epi16(a, c);   /* p − b = a − c */
        __m128i pc = _mm_add_epi16(pa, pb); /* p − c */
        pa = abs16(pa);
        pb = abs16(pb);
        pc = abs16(pc);
        __m128i m = _mm_min_epi16(pc, _mm_min_epi16(pa, pb));
        /* ties: a before b before c */
        __m128i pred = select16(_mm_cmpeq_epi16(m, pa), a, select16(_mm_cmpeq_epi16(m, pb), b, c));
        a = _mm_and_si128(_mm_add_epi16(pred, x), _mm_set1_epi16(0xff));
        c = b;
        __m128i out = _mm_packus_epi16(a, a);
        if (i + 3 >= rb) {
            st3(dst + i, out);
            break;
        }
        st4(dst + i, out);
    }
}
#endif

/* Filter bytes already checked (0…4). `zero` is a row of rb + FAST_PADDING zeros. */
static void unfilter_rows(const uint8_t *filtered, const uint8_t *zero, uint32_t width,
                          uint32_t height, uint8_t *rgb, size_t stride, int simd) {
    size_t rb = (size_t)width * 3;
    const uint8_t *prev = zero;
#if !defined(__SSE2__)
    (void)simd;
#endif
    for (uint32_t y = 0; y < height; ++y) {
        const uint8_t *row = filtered + (size_t)y * (rb + 1);
        const uint8_t *s = row + 1;
        uint8_t *dst = rgb + (size_t)y * stride;
#if defined(__SSE2__)
        if (simd) {
            switch (row[0]) {
            case 0: memcpy(dst, s, rb); break;
            case 1: sub3_sse2(s, dst, rb); break;
            case 2: up_sse2(s, prev, dst, rb); break;
            case 3: avg3_sse2(s, prev, dst, rb); break;
            default: paeth3_sse2(s, prev, dst, rb); break;
            }
            prev = dst;
            continue;
        }
#endif
        switch (row[0]) {
        case 0: memcpy(dst, s, rb); break;
        case 1: sub3_c(s, dst, rb); break;
        case 2: up_c(s, prev, dst, rb); break;
        case 3: avg3_c(s, prev, dst, rb); break;
        default: paeth3_c(s, prev, dst, rb); break;
        }
        prev = dst;
    }
}

/* ------------------------------------------------------------------ decoding */

/* libpng's png_check_chunk_length for IDAT: the larger of the chunk allocation limit and
 * the image data size plus zlib/deflate overhead. */
static size_t idat_length_limit(uint32_t width, uint32_t height) {
    size_t row_factor = (size_t)width * 3 + 1;
    size_t limit = (size_t)FAST_CHUNK_LENGTH_MAX;
    if (height <= 0xffffffffu / row_factor) {
        limit = (size_t)height * row_factor;
        size_t capped = row_factor > 32566 ? 32566 : row_factor;
        limit += 6 + 5 * (limit / capped + 1);
        if (limit > FAST_CHUNK_LENGTH_MAX) limit = FAST_CHUNK_LENGTH_MAX;
    }
    return limit < FAST_CHUNK_MALLOC_MAX ? FAST_CHUNK_MALLOC_MAX : limit;
}

iio_png_fast_result iio_png_fast_decode(const uint8_t *data, size_t size, uint8_t *rgb,
                                        size_t stride, size_t capacity, int simd, char *why,
                                        size_t why_capacity) {
    static const uint8_t signature[8] = {137, 80, 78, 71, 13, 10, 26, 10};
    if (why && why_capacity) why[0] = 0;
    if (size < 8 || memcmp(data, signature, 8) != 0) return decline(why, why_capacity, "not a PNG signature");

    /* Pass 1: the whole chunk sequence up to IEND, every CRC checked. */
    uint32_t width = 0, height = 0;
    size_t first_idat = 0, idat_bytes = 0, idat_limit = 0;
    int seen_ihdr = 0, idat_run = 0; /* 0 before the IDAT run, 1 inside it, 2 after it */
    size_t pos = 8;
    for (;;) {
        if (size - pos < 12) return decline(why, why_capacity, "file ends before IEND");
        uint32_t length = be32(data + pos);
        uint32_t type = be32(data + pos + 4);
        if (length > FAST_CHUNK_LENGTH_MAX || size - pos - 12 < length)
            return decline(why, why_capacity, "chunk length past the end of the file");
        for (int k = 4; k < 8; ++k) {
            uint8_t ch = data[pos + k];
            if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z')))
                return decline(why, why_capacity, "invalid chunk type");
        }
        const uint8_t *body = data + pos + 8;
        if (crc32_gzip_refl(0, data + pos + 4, (uint64_t)length + 4) != be32(body + length))
            return decline(why, why_capacity, "CRC mismatch in chunk %.4s", (const char *)(data + pos + 4));
        if (!seen_ihdr) {
            if (type != TAG('I', 'H', 'D', 'R') || length != 13)
                return decline(why, why_capacity, "IHDR is not the first chunk");
            width = be32(body);
            height = be32(body + 4);
            if (width == 0 || height == 0 || width > FAST_USER_DIMENSION_MAX || height > FAST_USER_DIMENSION_MAX)
                return decline(why, why_capacity, "dimensions %ux%u outside libpng's limits", width, height);
            if (body[8] != 8 || body[9] != 2 || body[10] != 0 || body[11] != 0 || body[12] != 0)
                return decline(why, why_capacity, "not 8-bit RGB, non-interlaced, standard methods");
            idat_limit = idat_length_limit(width, height);
            seen_ihdr = 1;
        } else if (type == TAG('I', 'D', 'A', 'T')) {
            if (idat_run == 2) return decline(why, why_capacity, "IDAT chunks not consecutive");
            if (length > idat_limit) return decline(why, why_capacity, "IDAT chunk over libpng's length limit");
            if (idat_run == 0) first_idat = pos;
            idat_run = 1;
            idat_bytes += length;
        } else if (type == TAG('I', 'E', 'N', 'D')) {
            break;
        } else {
            if (idat_run == 1) idat_run = 2;
            if (!(data[pos + 4] & 0x20))
                return decline(why, why_capacity, "critical chunk %.4s", (const char *)(data + pos + 4));
            if (type == TAG('t', 'R', 'N', 'S')) return decline(why, why_capacity, "tRNS chunk");
            if (length > FAST_CHUNK_MALLOC_MAX)
                return decline(why, why_capacity, "ancillary chunk over libpng's length limit");
        }
        pos += (size_t)length + 12;
    }
    if (idat_bytes < 2) return decline(why, why_capacity, "no image data");

    size_t rb = (size_t)width * 3;
    if (stride < rb || capacity < stride * (height - 1) + rb)
        return decline(why, why_capacity, "output buffer too small for %ux%u", width, height);
    size_t filtered_size = (rb + 1) * height;
    if (filtered_size > FAST_IMAGE_DATA_MAX)
        return decline(why, why_capacity, "image data over %zu MiB", FAST_IMAGE_DATA_MAX >> 20);

    /* Pass 2: the IDAT run. The zlib header (it may straddle chunks) by zlib's and libpng's
     * rules: deflate, window ≤ 32 KiB, header check, no preset dictionary. */
    uint8_t header[2];
    size_t have = 0, p = first_idat, skip = 0;
    while (have < 2) {
        uint32_t length = be32(data + p);
        for (skip = 0; skip < length && have < 2; ++skip) header[have++] = data[p + 8 + skip];
        if (have < 2) p += (size_t)length + 12;
    }
    unsigned cmf = header[0], flg = header[1];
    if ((cmf & 15) != 8 || (cmf >> 4) > 7 || ((cmf << 8) | flg) % 31 != 0 || (flg & 0x20))
        return decline(why, why_capacity, "zlib header not accepted by libpng");
    /* libpng lets zlib take the window size from the header, and zlib refuses distances
     * beyond it; ISA-L always allows 32 KiB. A smaller window is only taken when the whole
     * image data fits in it (libpng's writer shrinks the window for small images only), so
     * that no distance can reach past it. */
    if ((cmf >> 4) < 7 && filtered_size > ((size_t)1 << ((cmf >> 4) + 8)))
        return decline(why, why_capacity, "zlib window of %u bytes smaller than the image data", 1u << ((cmf >> 4) + 8));

    size_t scratch_size = filtered_size + FAST_PADDING + rb + FAST_PADDING;
    uint8_t *filtered = (uint8_t *)malloc(scratch_size);
    struct inflate_state *inflater = (struct inflate_state *)malloc(sizeof *inflater);
    if (!filtered || !inflater) {
        free(filtered);
        free(inflater);
        return decline(why, why_capacity, "out of memory");
    }
    memset(filtered + filtered_size, 0, scratch_size - filtered_size);
    const uint8_t *zero = filtered + filtered_size + FAST_PADDING;

    isal_inflate_init(inflater);
    inflater->crc_flag = ISAL_ZLIB_NO_HDR_VER; /* raw deflate, then the Adler-32 trailer verified */
    inflater->next_out = filtered;
    inflater->avail_out = (uint32_t)filtered_size;
    const char *problem = NULL;
    int finished = 0;
    for (;;) {
        uint32_t length = be32(data + p), type = be32(data + p + 4);
        if (type != TAG('I', 'D', 'A', 'T')) break;
        if (finished && length > 0) { /* (empty IDATs after it are harmless) */
            problem = "IDAT data after the end of the zlib stream";
            break;
        }
        if (length > skip) {
            inflater->next_in = (uint8_t *)(uintptr_t)(data + p + 8 + skip);
            inflater->avail_in = length - (uint32_t)skip;
            if (isal_inflate(inflater) != ISAL_DECOMP_OK) {
                problem = "zlib data rejected by ISA-L";
                break;
            }
            finished = inflater->block_state == ISAL_BLOCK_FINISH;
            if (inflater->avail_in != 0) {
                problem = finished ? "bytes after the end of the zlib stream" : "too much image data";
                break;
            }
        }
        skip = 0;
        p += (size_t)length + 12;
    }
    if (!problem && !finished) problem = "zlib stream incomplete";
    if (!problem && inflater->avail_out != 0) problem = "not enough image data";
    free(inflater);
    if (!problem) {
        for (uint32_t y = 0; y < height; ++y)
            if (filtered[(size_t)y * (rb + 1)] > 4) {
                problem = "invalid filter type";
                break;
            }
    }
    if (problem) {
        free(filtered);
        return decline(why, why_capacity, "%s", problem);
    }
    unfilter_rows(filtered, zero, width, height, rgb, stride, simd);
    free(filtered);
    return IIO_PNG_FAST_OK;
}
