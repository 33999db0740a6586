/* Helpers shared by the loaders; not part of the public interface. */
#ifndef IIO_INTERNAL_H
#define IIO_INTERNAL_H

#include "CImageIO.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/** Fills err (if any) with a printf-style one-line message and returns `status`. */
static inline iio_status iio_fail(iio_error *err, iio_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static inline iio_status iio_fail(iio_error *err, iio_status status, const char *fmt, ...) {
    if (err) {
        va_list args;
        va_start(args, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, args);
        va_end(args);
        /* one line: newlines from library messages become spaces */
        for (char *p = err->message; *p; ++p)
            if (*p == '\n' || *p == '\r') *p = ' ';
    }
    return status;
}

static inline void iio_copy_name(char *dst, size_t capacity, const char *src) {
    snprintf(dst, capacity, "%s", src);
}

/** round(v / 257): the 16 → 8 bit reduction used by every format. */
static inline uint8_t iio_scale16(uint32_t v) { return (uint8_t)((v * 255u + 32895u) >> 16); }

/** Unassociated alpha over white: round((c·a + 255·(255 − a)) / 255). */
static inline uint8_t iio_over_white(uint32_t c, uint32_t a) {
    uint32_t t = c * a + 255u * (255u - a) + 128u;
    return (uint8_t)((t + (t >> 8)) >> 8);
}

/** Associated (premultiplied) alpha over white: c + (255 − a), saturated. */
static inline uint8_t iio_premultiplied_over_white(uint32_t c, uint32_t a) {
    uint32_t t = c + 255u - a;
    return (uint8_t)(t > 255u ? 255u : t);
}

static inline void iio_clear_info(iio_info *info) { memset(info, 0, sizeof *info); }

/* ---- PNG fast path (iio_png_fast.c) ----------------------------------------------------
 * 8-bit RGB, non-interlaced, no tRNS, and only fully valid files: IIO_PNG_FAST_OK with the
 * pixels in `rgb`, or IIO_PNG_FAST_FALLBACK with `rgb` untouched and a short reason in `why`
 * (may be NULL) — the caller then decodes with libpng. `simd` 0 forces the plain C unfilter
 * (the reference); without SSE2 it is always used. */
typedef enum { IIO_PNG_FAST_OK = 0, IIO_PNG_FAST_FALLBACK = 1 } iio_png_fast_result;
iio_png_fast_result iio_png_fast_decode(const uint8_t *data, size_t size, uint8_t *rgb,
                                        size_t stride, size_t capacity, int simd, char *why,
                                        size_t why_capacity);

#endif
