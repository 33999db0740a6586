/*
 * CImageIO — C loaders and writers over libpng, libjpeg-turbo (TurboJPEG API) and libtiff.
 *
 * Contract of every entry point:
 *  - it returns an iio_status; IIO_OK (0) on success;
 *  - on failure it fills `err->message` with one line naming the problem, using the
 *    library's own message where the library produced one;
 *  - setjmp/longjmp (libpng's error path) never leaves the .c file that uses it;
 *  - decoders write 8-bit interleaved RGB into a caller-owned buffer whose capacity is
 *    checked, so the caller can refuse oversized images *before* allocating anything.
 *
 * Conversions (shared by every format, so results agree across formats):
 *  - 16-bit samples become 8-bit by rounding: v8 = (v16 * 255 + 32895) >> 16 = round(v16 / 257);
 *  - grey becomes R = G = B; min-is-white is inverted;
 *  - alpha is composited onto white (glass): out = round((c * a + 255 * (255 - a)) / 255)
 *    for unassociated alpha, out = min(255, c + 255 - a) for associated (premultiplied) alpha.
 */
#ifndef CIMAGEIO_H
#define CIMAGEIO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    IIO_OK = 0,
    IIO_ERR_IO = 1,          /* cannot open / read / write the file */
    IIO_ERR_CORRUPT = 2,     /* the library rejected the data (truncated, bad CRC, …) */
    IIO_ERR_UNSUPPORTED = 3, /* valid file, but a variant this loader does not handle */
    IIO_ERR_ARGUMENT = 4,    /* caller error: buffer too small, region outside, bad page */
    IIO_ERR_MEMORY = 5       /* an allocation failed */
} iio_status;

#define IIO_MESSAGE_CAPACITY 512
typedef struct {
    char message[IIO_MESSAGE_CAPACITY];
} iio_error;

typedef enum {
    IIO_FORMAT_UNKNOWN = 0,
    IIO_FORMAT_PNG = 1,
    IIO_FORMAT_JPEG = 2,
    IIO_FORMAT_TIFF = 3
} iio_format;

typedef enum {
    IIO_RES_UNKNOWN = 0,  /* no resolution, or a unit-less aspect ratio only */
    IIO_RES_INCH = 1,
    IIO_RES_CENTIMETER = 2,
    IIO_RES_METER = 3
} iio_resolution_unit;

#define IIO_NAME_CAPACITY 32
#define IIO_DESCRIPTION_CAPACITY 4096

/** What a file really is, as read from its header (no pixel data decoded). */
typedef struct {
    int32_t format;                 /* iio_format */
    uint32_t width, height;
    uint32_t pages;                 /* TIFF directories; 1 for PNG and JPEG */
    uint32_t bits_per_sample;
    uint32_t samples_per_pixel;
    int32_t has_alpha;
    char color_model[IIO_NAME_CAPACITY];   /* grey, grey+alpha, rgb, rgba, palette, ycbcr, cmyk, min-is-white, … */
    char compression[IIO_NAME_CAPACITY];   /* deflate, none, lzw, jpeg, zstd, webp, packbits, … */
    int32_t interlaced;             /* PNG Adam7 or progressive JPEG */
    int32_t tiled;
    uint32_t tile_width, tile_height;
    uint32_t rows_per_strip;
    int32_t planar_separate;
    int32_t bigtiff;
    int32_t uses_fallback_reader;   /* TIFF read through the slower RGBA reader */
    int32_t resolution_unit;        /* iio_resolution_unit */
    double x_resolution, y_resolution; /* pixels per resolution_unit; 0 when absent */
    char description[IIO_DESCRIPTION_CAPACITY]; /* TIFF ImageDescription (truncated), else empty */
} iio_info;

/** Identifies the format from the first bytes (needs at least 8 bytes to be sure). */
iio_format iio_sniff(const uint8_t *bytes, size_t count);

/* ---------------------------------------------------------------- PNG (libpng) */

iio_status iio_png_info(const uint8_t *data, size_t size, iio_info *info, iio_error *err);
/** Decodes to RGB8, `stride` bytes per output row (>= width * 3). 8-bit RGB non-interlaced
 *  files without tRNS take a fast path (own chunk walk with every CRC checked, ISA-L inflate,
 *  SSE2 unfilter) whose pixels equal libpng's; every other file, and any file the fast path
 *  finds irregular, is decoded by libpng, so errors are always libpng's. */
iio_status iio_png_decode(const uint8_t *data, size_t size, uint8_t *rgb, size_t stride,
                          size_t capacity, iio_error *err);
/** As iio_png_decode, through libpng only (for tests and benchmarks). */
iio_status iio_png_decode_libpng(const uint8_t *data, size_t size, uint8_t *rgb, size_t stride,
                                 size_t capacity, iio_error *err);
/** The fast path alone (for tests and benchmarks): IIO_OK, or IIO_ERR_UNSUPPORTED with the
 *  reason it would hand the file to libpng (nothing written then). `simd` 0 forces the plain
 *  C unfilter, the reference the SSE2 one must equal. */
iio_status iio_png_decode_fast(const uint8_t *data, size_t size, uint8_t *rgb, size_t stride,
                               size_t capacity, int32_t simd, iio_error *err);

/** Decodes a single-channel grey PNG (1, 2, 4, 8 or 16 bits, any interlacing) losslessly to
 *  one uint16 per pixel in host byte order, `stride` samples per output row (>= width): the
 *  stored values, not rescaled (an 8-bit 200 stays 200). For label images (instance masks),
 *  which the RGB8 path would round to 8 bits. Colour, palette and grey+alpha files are
 *  IIO_ERR_UNSUPPORTED; tRNS is ignored. */
iio_status iio_png_decode_grey16(const uint8_t *data, size_t size, uint16_t *out, size_t stride,
                                 size_t capacity, iio_error *err);

typedef struct {
    uint32_t width, height;
    int32_t bit_depth;       /* 1, 2, 4, 8, 16 (as PNG allows for the colour type) */
    int32_t color_type;      /* PNG_COLOR_TYPE_* values: 0 grey, 2 rgb, 3 palette, 4 grey+alpha, 6 rgba */
    int32_t interlaced;      /* Adam7 */
    int32_t compression_level; /* zlib 0…9, -1 for libpng's default */
    int32_t fast_filters;    /* 1: filter NONE only (the PNG_IMAGE_FLAG_FAST trade-off) */
    const uint8_t *palette;  /* palette_entries × RGB, for colour type 3 */
    int32_t palette_entries;
    const uint8_t *palette_alpha; /* tRNS for palette entries, or NULL */
    int32_t palette_alpha_entries;
    uint32_t pixels_per_meter_x, pixels_per_meter_y; /* pHYs; 0 = none */
    int32_t filters;         /* PNG_FILTER_* mask (NONE 0x08, SUB 0x10, UP 0x20, AVG 0x40,
                                PAETH 0x80) libpng may choose from; 0 = its default (adaptive);
                                fast_filters = 1 overrides it with NONE */
    uint32_t idat_size;      /* bytes per IDAT chunk (libpng's compression buffer); 0 = 8192 */
} iio_png_spec;

/** Writes rows already packed in PNG's own row layout (big-endian 16-bit, packed < 8-bit). */
iio_status iio_png_write(const char *path, const iio_png_spec *spec, const uint8_t *rows,
                         size_t row_bytes, iio_error *err);

/* ------------------------------------------------------- JPEG (libjpeg-turbo) */

iio_status iio_jpeg_info(const uint8_t *data, size_t size, iio_info *info, iio_error *err);
/** Decodes baseline or progressive, grey or colour JPEG to RGB8. Any libjpeg warning
 *  (premature end of data, corrupt entropy data) is treated as an error. */
iio_status iio_jpeg_decode(const uint8_t *data, size_t size, uint8_t *rgb, size_t stride,
                           size_t capacity, iio_error *err);

typedef struct {
    uint32_t width, height;
    int32_t channels;        /* 1 grey, 3 RGB, or 4 CMYK input (CMYK only to test rejection) */
    int32_t quality;         /* 1…100 */
    int32_t subsampling;     /* 444, 422 or 420 (ignored for grey) */
    int32_t progressive;
    int32_t density_unit;    /* JFIF units: 0 aspect only, 1 dots/inch, 2 dots/cm */
    uint16_t x_density, y_density;
} iio_jpeg_spec;

iio_status iio_jpeg_write(const char *path, const iio_jpeg_spec *spec, const uint8_t *pixels,
                          size_t stride, iio_error *err);

/* ---------------------------------------------------------------- TIFF (libtiff) */

typedef struct iio_tiff iio_tiff;

/** Opens a TIFF or BigTIFF for reading; errors and warnings go to this handle only
 *  (thread-safe: no global libtiff handlers are touched). */
iio_status iio_tiff_open(const char *path, iio_tiff **out, iio_error *err);
void iio_tiff_close(iio_tiff *tiff);
/** Header facts of one page (directory). */
iio_status iio_tiff_info(iio_tiff *tiff, uint32_t page, iio_info *info, iio_error *err);
/** Decodes the rectangle (x, y, w, h) of `page` to RGB8, touching only the strips or tiles
 *  that intersect it. */
iio_status iio_tiff_read_region(iio_tiff *tiff, uint32_t page, uint32_t x, uint32_t y,
                                uint32_t w, uint32_t h, uint8_t *rgb, size_t stride,
                                size_t capacity, iio_error *err);

typedef enum {
    IIO_TIFF_PHOTOMETRIC_MINISWHITE = 0,
    IIO_TIFF_PHOTOMETRIC_MINISBLACK = 1,
    IIO_TIFF_PHOTOMETRIC_RGB = 2,
    IIO_TIFF_PHOTOMETRIC_PALETTE = 3,
    IIO_TIFF_PHOTOMETRIC_YCBCR = 6
} iio_tiff_photometric;

typedef struct {
    uint32_t width, height;
    int32_t bits_per_sample;     /* 8 or 16 (1/2/4 with palette or grey) */
    int32_t samples_per_pixel;   /* colour samples + extra samples */
    int32_t extra_samples;       /* 0 or 1 */
    int32_t extra_is_associated; /* alpha kind of the extra sample: 1 associated, 0 unassociated */
    int32_t photometric;         /* iio_tiff_photometric (YCbCr only with JPEG compression) */
    int32_t planar_separate;
    int32_t compression;         /* libtiff COMPRESSION_* value */
    int32_t jpeg_quality;        /* for COMPRESSION_JPEG */
    uint32_t tile_width, tile_height; /* both > 0: tiled; else strips */
    uint32_t rows_per_strip;     /* 0: libtiff's default */
    const uint16_t *colormap;    /* 3 × 2^bits entries (R…, G…, B…) for palette */
    int32_t resolution_unit;     /* iio_resolution_unit: inch or centimetre; 0 none */
    double x_resolution, y_resolution;
    const char *description;     /* ImageDescription or NULL */
} iio_tiff_page_spec;

typedef struct iio_tiff_writer iio_tiff_writer;

iio_status iio_tiff_writer_open(const char *path, int32_t bigtiff, iio_tiff_writer **out,
                                iio_error *err);
/** Appends one page. `pixels` are interleaved samples (uint8, or native uint16 when
 *  bits_per_sample is 16; packed rows when below 8), `stride` bytes per row. */
iio_status iio_tiff_writer_add_page(iio_tiff_writer *writer, const iio_tiff_page_spec *spec,
                                    const uint8_t *pixels, size_t stride, iio_error *err);
/** Flushes and closes; reports a failure of the final write. Always frees the writer. */
iio_status iio_tiff_writer_close(iio_tiff_writer *writer, iio_error *err);

/** Whether this libtiff was built with the codec for `compression` (COMPRESSION_* value). */
int32_t iio_tiff_codec_available(int32_t compression);

/* ---- Kernel support -------------------------------------------------------------------
 * Swift has no prefetch instruction. The watershed floods visit pixels all over a tile, and
 * each pop waits for its neighbours' flags to come from memory unless they were requested a
 * few pops earlier: these inline wrappers let the Swift kernels do that (a hint only: no
 * effect on results, no fault on any address). */
static inline void iio_prefetch_read(const void *address) { __builtin_prefetch(address, 0, 3); }
static inline void iio_prefetch_write(const void *address) { __builtin_prefetch(address, 1, 3); }

#ifdef __cplusplus
}
#endif

#endif
