/*
 * TIFF and BigTIFF through libtiff.
 *
 * Reading: the fast path decodes strips or tiles with TIFFReadEncodedStrip/-Tile and
 * converts samples itself (8/16-bit grey, min-is-white, RGB, 8-bit palette, YCbCr inside
 * JPEG via JPEGCOLORMODE_RGB; contiguous or separate planes; alpha over white). Anything
 * else that libtiff can render (1/2/4-bit, CMYK, raw YCbCr, old JPEG, CIELab…) goes
 * through the slower TIFFRGBAImage reader. A region read touches only the strips or tiles
 * that intersect the region.
 *
 * Errors and warnings are routed per handle (TIFFOpenOptionsSetErrorHandlerExtR), so no
 * global libtiff state is touched and handles can be used from several threads at once.
 */
#include "iio_internal.h"
#include <stdlib.h>
#include <tiffio.h>

typedef struct {
    iio_error error;
    int has_error;
} tiff_messages;

static int tiff_error_handler(TIFF *tif, void *user, const char *module, const char *fmt, va_list ap) {
    (void)tif;
    tiff_messages *m = (tiff_messages *)user;
    if (m && !m->has_error) {
        char text[IIO_MESSAGE_CAPACITY];
        vsnprintf(text, sizeof text, fmt, ap);
        iio_fail(&m->error, IIO_ERR_CORRUPT, "libtiff: %s%s%s", module ? module : "", module ? ": " : "", text);
        m->has_error = 1;
    }
    return 1; /* handled: do not call the global handler (it would print to stderr) */
}

static int tiff_warning_handler(TIFF *tif, void *user, const char *module, const char *fmt, va_list ap) {
    (void)tif; (void)user; (void)module; (void)fmt; (void)ap;
    return 1; /* warnings (unknown tags, …) do not change the pixels */
}

static TIFFOpenOptions *tiff_options(tiff_messages *m) {
    TIFFOpenOptions *opts = TIFFOpenOptionsAlloc();
    if (!opts) return NULL;
    TIFFOpenOptionsSetErrorHandlerExtR(opts, tiff_error_handler, m);
    TIFFOpenOptionsSetWarningHandlerExtR(opts, tiff_warning_handler, m);
    TIFFOpenOptionsSetMaxSingleMemAlloc(opts, (tmsize_t)1 << 31);
    return opts;
}

/* Copies the handle's first libtiff error into err, or `fallback` when libtiff said nothing. */
static iio_status tiff_report(tiff_messages *m, iio_error *err, iio_status status, const char *fallback) {
    if (m->has_error) {
        if (err) *err = m->error;
        m->has_error = 0;
        return status;
    }
    return iio_fail(err, status, "libtiff: %s", fallback);
}

struct iio_tiff {
    TIFF *tif;
    tiff_messages messages;
    uint32_t pages;
};

iio_status iio_tiff_open(const char *path, iio_tiff **out, iio_error *err) {
    *out = NULL;
    iio_tiff *h = (iio_tiff *)calloc(1, sizeof *h);
    if (!h) return iio_fail(err, IIO_ERR_MEMORY, "out of memory");
    TIFFOpenOptions *opts = tiff_options(&h->messages);
    if (!opts) {
        free(h);
        return iio_fail(err, IIO_ERR_MEMORY, "out of memory");
    }
    h->tif = TIFFOpenExt(path, "r", opts);
    TIFFOpenOptionsFree(opts);
    if (!h->tif) {
        iio_status s = tiff_report(&h->messages, err, IIO_ERR_CORRUPT, "cannot open file");
        free(h);
        return s;
    }
    tdir_t n = TIFFNumberOfDirectories(h->tif);
    h->pages = n > 0 ? (uint32_t)n : 1;
    if (!TIFFSetDirectory(h->tif, 0)) {
        iio_status s = tiff_report(&h->messages, err, IIO_ERR_CORRUPT, "cannot read the first directory");
        TIFFClose(h->tif);
        free(h);
        return s;
    }
    *out = h;
    return IIO_OK;
}

void iio_tiff_close(iio_tiff *h) {
    if (!h) return;
    if (h->tif) TIFFClose(h->tif);
    free(h);
}

static iio_status select_page(iio_tiff *h, uint32_t page, iio_error *err) {
    if (page >= h->pages)
        return iio_fail(err, IIO_ERR_ARGUMENT, "page %u does not exist (the file has %u page%s)", page,
                        h->pages, h->pages == 1 ? "" : "s");
    if (TIFFCurrentDirectory(h->tif) != page && !TIFFSetDirectory(h->tif, (tdir_t)page))
        return tiff_report(&h->messages, err, IIO_ERR_CORRUPT, "cannot read the page's directory");
    return IIO_OK;
}

static const char *compression_name(uint16_t c, char *buffer, size_t capacity) {
    switch (c) {
    case COMPRESSION_NONE: return "none";
    case COMPRESSION_LZW: return "lzw";
    case COMPRESSION_JPEG: return "jpeg";
    case COMPRESSION_OJPEG: return "old-jpeg";
    case COMPRESSION_ADOBE_DEFLATE:
    case COMPRESSION_DEFLATE: return "deflate";
    case COMPRESSION_PACKBITS: return "packbits";
    case COMPRESSION_ZSTD: return "zstd";
    case COMPRESSION_WEBP: return "webp";
    case COMPRESSION_LZMA: return "lzma";
    case COMPRESSION_JBIG: return "jbig";
    case COMPRESSION_CCITTRLE:
    case COMPRESSION_CCITTFAX3:
    case COMPRESSION_CCITTFAX4: return "ccitt";
    case 33003: case 33005: case 34712: return "jpeg2000";
    default: snprintf(buffer, capacity, "code-%u", c); return buffer;
    }
}

/* What a page is, read from its tags. */
typedef struct {
    uint32_t width, height;
    uint16_t bps, spp, photometric, planar, compression, sample_format;
    uint16_t extra_count;
    uint16_t extra_first;     /* EXTRASAMPLE_* of the first extra sample */
    int tiled;
    uint32_t tile_w, tile_h, rows_per_strip;
} page_tags;

static void read_tags(TIFF *tif, page_tags *t) {
    memset(t, 0, sizeof *t);
    TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &t->width);
    TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &t->height);
    TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &t->bps);
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &t->spp);
    TIFFGetFieldDefaulted(tif, TIFFTAG_PLANARCONFIG, &t->planar);
    TIFFGetFieldDefaulted(tif, TIFFTAG_COMPRESSION, &t->compression);
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLEFORMAT, &t->sample_format);
    if (!TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &t->photometric))
        t->photometric = t->spp >= 3 ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK;
    uint16_t count = 0;
    uint16_t *types = NULL;
    if (TIFFGetField(tif, TIFFTAG_EXTRASAMPLES, &count, &types) && count > 0 && types) {
        t->extra_count = count;
        t->extra_first = types[0];
    }
    t->tiled = TIFFIsTiled(tif);
    if (t->tiled) {
        TIFFGetField(tif, TIFFTAG_TILEWIDTH, &t->tile_w);
        TIFFGetField(tif, TIFFTAG_TILELENGTH, &t->tile_h);
    } else {
        TIFFGetFieldDefaulted(tif, TIFFTAG_ROWSPERSTRIP, &t->rows_per_strip);
        if (t->rows_per_strip == 0 || t->rows_per_strip > t->height) t->rows_per_strip = t->height;
    }
}

static const char *color_name(const page_tags *t) {
    int alpha = t->extra_count > 0 &&
                (t->extra_first == EXTRASAMPLE_ASSOCALPHA || t->extra_first == EXTRASAMPLE_UNASSALPHA);
    switch (t->photometric) {
    case PHOTOMETRIC_MINISBLACK: return alpha ? "grey+alpha" : "grey";
    case PHOTOMETRIC_MINISWHITE: return alpha ? "min-is-white+alpha" : "min-is-white";
    case PHOTOMETRIC_RGB: return alpha ? "rgba" : "rgb";
    case PHOTOMETRIC_PALETTE: return "palette";
    case PHOTOMETRIC_SEPARATED: return "cmyk";
    case PHOTOMETRIC_YCBCR: return "ycbcr";
    case PHOTOMETRIC_CIELAB:
    case PHOTOMETRIC_ICCLAB:
    case PHOTOMETRIC_ITULAB: return "lab";
    case PHOTOMETRIC_LOGL:
    case PHOTOMETRIC_LOGLUV: return "logluv";
    default: return "other";
    }
}

/* ------------------------------------------------------------- conversion plan */

typedef struct {
    int fast;              /* decodable by the strip/tile fast path */
    int colors;            /* 1 (grey/palette) or 3 (rgb) colour samples */
    int invert;            /* min-is-white */
    int palette;
    int alpha_index;       /* sample index of alpha, -1 when none */
    int alpha_associated;
    int bytes;             /* 1 or 2 per sample */
    uint16_t *cmap[3];
} plan;

/* Decides the reading path for the selected page; sets JPEGCOLORMODE as a side effect. */
static void make_plan(TIFF *tif, const page_tags *t, plan *p) {
    memset(p, 0, sizeof *p);
    p->alpha_index = -1;
    if (t->sample_format != SAMPLEFORMAT_UINT || (t->bps != 8 && t->bps != 16)) return;
    uint16_t photometric = t->photometric;
    int spp = t->spp;
    if (photometric == PHOTOMETRIC_YCBCR) {
        if (t->compression != COMPRESSION_JPEG || t->bps != 8) return;
        TIFFSetField(tif, TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB);
        photometric = PHOTOMETRIC_RGB;
    }
    switch (photometric) {
    case PHOTOMETRIC_MINISBLACK: p->colors = 1; break;
    case PHOTOMETRIC_MINISWHITE: p->colors = 1; p->invert = 1; break;
    case PHOTOMETRIC_RGB: p->colors = 3; break;
    case PHOTOMETRIC_PALETTE:
        if (t->bps != 8 || !TIFFGetField(tif, TIFFTAG_COLORMAP, &p->cmap[0], &p->cmap[1], &p->cmap[2]))
            return;
        p->colors = 1;
        p->palette = 1;
        break;
    default: return;
    }
    if (spp < p->colors) return;
    if (t->extra_count > 0 && spp > p->colors &&
        (t->extra_first == EXTRASAMPLE_ASSOCALPHA || t->extra_first == EXTRASAMPLE_UNASSALPHA)) {
        p->alpha_index = p->colors;
        p->alpha_associated = t->extra_first == EXTRASAMPLE_ASSOCALPHA;
    }
    p->bytes = t->bps / 8;
    p->fast = 1;
}

static inline uint8_t sample8(const uint8_t *base, size_t index, int bytes) {
    return bytes == 1 ? base[index] : iio_scale16(((const uint16_t *)(const void *)base)[index]);
}

/* Converts n pixels; sample k of pixel i is at base[k] + i * step (in samples). */
static void convert_run(const plan *p, const uint8_t *const base[4], size_t step, size_t n,
                        uint8_t *out) {
    if (p->bytes == 1 && p->colors == 3 && p->alpha_index < 0 && step == 3 && base[1] == base[0] + 1) {
        memcpy(out, base[0], n * 3);
        return;
    }
    if (p->bytes == 1 && p->colors == 1 && p->alpha_index < 0 && !p->palette) {
        const uint8_t *g = base[0];
        uint8_t flip = p->invert ? 0xFF : 0x00;
        for (size_t i = 0; i < n; ++i) {
            uint8_t v = g[i * step] ^ flip;
            out[3 * i] = v; out[3 * i + 1] = v; out[3 * i + 2] = v;
        }
        return;
    }
    for (size_t i = 0; i < n; ++i) {
        uint8_t r, g, b;
        if (p->palette) {
            uint8_t index = base[0][i * step];
            r = iio_scale16(p->cmap[0][index]);
            g = iio_scale16(p->cmap[1][index]);
            b = iio_scale16(p->cmap[2][index]);
        } else if (p->colors == 1) {
            uint8_t v = sample8(base[0], i * step, p->bytes);
            if (p->invert) v = (uint8_t)(255 - v);
            r = g = b = v;
        } else {
            r = sample8(base[0], i * step, p->bytes);
            g = sample8(base[1], i * step, p->bytes);
            b = sample8(base[2], i * step, p->bytes);
        }
        if (p->alpha_index >= 0) {
            uint32_t a = sample8(base[p->alpha_index], i * step, p->bytes);
            if (p->alpha_associated) {
                r = iio_premultiplied_over_white(r, a);
                g = iio_premultiplied_over_white(g, a);
                b = iio_premultiplied_over_white(b, a);
            } else {
                r = iio_over_white(r, a);
                g = iio_over_white(g, a);
                b = iio_over_white(b, a);
            }
        }
        out[3 * i] = r; out[3 * i + 1] = g; out[3 * i + 2] = b;
    }
}

iio_status iio_tiff_info(iio_tiff *h, uint32_t page, iio_info *info, iio_error *err) {
    iio_status status = select_page(h, page, err);
    if (status != IIO_OK) return status;
    page_tags t;
    read_tags(h->tif, &t);
    plan p;
    make_plan(h->tif, &t, &p);
    iio_clear_info(info);
    info->format = IIO_FORMAT_TIFF;
    info->width = t.width;
    info->height = t.height;
    info->pages = h->pages;
    info->bits_per_sample = t.bps;
    info->samples_per_pixel = t.spp;
    info->has_alpha = p.alpha_index >= 0 || (t.extra_count > 0 && (t.extra_first == EXTRASAMPLE_ASSOCALPHA ||
                                                                    t.extra_first == EXTRASAMPLE_UNASSALPHA));
    iio_copy_name(info->color_model, sizeof info->color_model, color_name(&t));
    char code[IIO_NAME_CAPACITY];
    iio_copy_name(info->compression, sizeof info->compression, compression_name(t.compression, code, sizeof code));
    info->tiled = t.tiled;
    info->tile_width = t.tile_w;
    info->tile_height = t.tile_h;
    info->rows_per_strip = t.rows_per_strip;
    info->planar_separate = t.planar == PLANARCONFIG_SEPARATE;
    info->bigtiff = (TIFFIsBigTIFF(h->tif) != 0);
    info->uses_fallback_reader = !p.fast;
    float xr = 0, yr = 0;
    uint16_t unit = RESUNIT_INCH;
    if (TIFFGetField(h->tif, TIFFTAG_XRESOLUTION, &xr) && TIFFGetField(h->tif, TIFFTAG_YRESOLUTION, &yr) &&
        xr > 0 && yr > 0) {
        TIFFGetFieldDefaulted(h->tif, TIFFTAG_RESOLUTIONUNIT, &unit);
        if (unit == RESUNIT_INCH || unit == RESUNIT_CENTIMETER) {
            info->resolution_unit = unit == RESUNIT_INCH ? IIO_RES_INCH : IIO_RES_CENTIMETER;
            info->x_resolution = xr;
            info->y_resolution = yr;
        }
    }
    const char *description = NULL;
    if (TIFFGetField(h->tif, TIFFTAG_IMAGEDESCRIPTION, &description) && description)
        snprintf(info->description, sizeof info->description, "%s", description);
    return IIO_OK;
}

static iio_status read_region_fast(iio_tiff *h, const page_tags *t, const plan *p, uint32_t x,
                                   uint32_t y, uint32_t w, uint32_t hgt, uint8_t *rgb, size_t stride,
                                   iio_error *err) {
    TIFF *tif = h->tif;
    const int separate = t->planar == PLANARCONFIG_SEPARATE && t->spp > 1;
    const uint32_t chunk_w = t->tiled ? t->tile_w : t->width;
    const uint32_t chunk_h = t->tiled ? t->tile_h : t->rows_per_strip;
    if (chunk_w == 0 || chunk_h == 0)
        return iio_fail(err, IIO_ERR_CORRUPT, "libtiff: invalid tile or strip size");
    const tmsize_t chunk_bytes = t->tiled ? TIFFTileSize(tif) : TIFFStripSize(tif);
    if (chunk_bytes <= 0) return tiff_report(&h->messages, err, IIO_ERR_CORRUPT, "invalid strip/tile size");
    const int needed = p->alpha_index >= 0 ? p->alpha_index + 1 : p->colors;
    const int buffers = separate ? needed : 1;
    const size_t samples_in_chunk_row = (size_t)chunk_w * (separate ? 1 : t->spp);
    const size_t chunk_row_bytes = samples_in_chunk_row * (size_t)p->bytes;
    if ((size_t)chunk_bytes < chunk_row_bytes)
        return iio_fail(err, IIO_ERR_CORRUPT, "libtiff: strip/tile smaller than one row");
    uint8_t *buffer[4] = {NULL, NULL, NULL, NULL};
    iio_status status = IIO_OK;
    for (int k = 0; k < buffers; ++k) {
        buffer[k] = (uint8_t *)_TIFFmalloc(chunk_bytes);
        if (!buffer[k]) status = iio_fail(err, IIO_ERR_MEMORY, "out of memory for a %lld-byte strip/tile",
                                          (long long)chunk_bytes);
    }
    const uint32_t y_end = y + hgt, x_end = x + w;
    for (uint32_t cy = (y / chunk_h) * chunk_h; status == IIO_OK && cy < y_end; cy += chunk_h) {
        uint32_t cx_start = t->tiled ? (x / chunk_w) * chunk_w : 0;
        for (uint32_t cx = cx_start; status == IIO_OK && cx < x_end; cx += chunk_w) {
            tmsize_t got[4] = {0, 0, 0, 0};
            for (int k = 0; k < buffers && status == IIO_OK; ++k) {
                uint16_t sample = (uint16_t)(separate ? k : 0);
                if (t->tiled) {
                    uint32_t index = TIFFComputeTile(tif, cx, cy, 0, sample);
                    got[k] = TIFFReadEncodedTile(tif, index, buffer[k], chunk_bytes);
                } else {
                    uint32_t index = TIFFComputeStrip(tif, cy, sample);
                    got[k] = TIFFReadEncodedStrip(tif, index, buffer[k], chunk_bytes);
                }
                if (got[k] < 0) status = tiff_report(&h->messages, err, IIO_ERR_CORRUPT, "cannot decode strip/tile");
            }
            if (status != IIO_OK) break;
            uint32_t x0 = cx > x ? cx : x;
            uint32_t x1 = cx + chunk_w < x_end ? cx + chunk_w : x_end;
            uint32_t y0 = cy > y ? cy : y;
            uint32_t y1 = cy + chunk_h < y_end ? cy + chunk_h : y_end;
            for (uint32_t yy = y0; yy < y1; ++yy) {
                size_t row_offset = (size_t)(yy - cy) * chunk_row_bytes;
                const uint8_t *base[4];
                for (int k = 0; k < 4; ++k) {
                    if (separate) {
                        int b = k < buffers ? k : 0;
                        base[k] = buffer[b] + row_offset + (size_t)(x0 - cx) * p->bytes;
                    } else {
                        base[k] = buffer[0] + row_offset + ((size_t)(x0 - cx) * t->spp + (size_t)k) * p->bytes;
                    }
                }
                /* a short last strip: rows past what was decoded do not exist */
                for (int k = 0; k < buffers; ++k)
                    if ((tmsize_t)(row_offset + chunk_row_bytes) > got[k])
                        status = iio_fail(err, IIO_ERR_CORRUPT, "libtiff: strip/tile decoded short");
                if (status != IIO_OK) break;
                convert_run(p, base, separate ? 1 : t->spp, x1 - x0,
                            rgb + (size_t)(yy - y) * stride + (size_t)(x0 - x) * 3);
            }
        }
    }
    for (int k = 0; k < buffers; ++k) _TIFFfree(buffer[k]);
    return status;
}

static iio_status read_region_rgba(iio_tiff *h, uint32_t image_width, uint32_t x, uint32_t y, uint32_t w,
                                   uint32_t hgt, uint8_t *rgb, size_t stride, iio_error *err) {
    char message[1024] = {0};
    if (!TIFFRGBAImageOK(h->tif, message))
        return iio_fail(err, IIO_ERR_UNSUPPORTED, "libtiff: %s", message);
    TIFFRGBAImage image;
    if (!TIFFRGBAImageBegin(&image, h->tif, 1, message))
        return iio_fail(err, IIO_ERR_UNSUPPORTED, "libtiff: %s", message);
    /* TIFFRGBAImage's col_offset is not honoured by every "put" routine (sub-byte palette
     * strips, for one): read whole rows from row_offset and crop the columns here. */
    image.req_orientation = ORIENTATION_TOPLEFT;
    image.row_offset = (int)y;
    image.col_offset = 0;
    uint32_t *raster = (uint32_t *)_TIFFmalloc((tmsize_t)image_width * hgt * sizeof(uint32_t));
    if (!raster) {
        TIFFRGBAImageEnd(&image);
        return iio_fail(err, IIO_ERR_MEMORY, "out of memory for the RGBA reader");
    }
    int ok = TIFFRGBAImageGet(&image, raster, image_width, hgt);
    TIFFRGBAImageEnd(&image);
    iio_status status = IIO_OK;
    if (!ok) {
        status = tiff_report(&h->messages, err, IIO_ERR_CORRUPT, "cannot decode image");
    } else {
        for (uint32_t r = 0; r < hgt; ++r) {
            const uint32_t *in = raster + (size_t)r * image_width + x;
            uint8_t *out = rgb + (size_t)r * stride;
            for (uint32_t c = 0; c < w; ++c) {
                uint32_t px = in[c], a = TIFFGetA(px);
                /* TIFFRGBAImage delivers premultiplied colour */
                out[3 * c] = iio_premultiplied_over_white(TIFFGetR(px), a);
                out[3 * c + 1] = iio_premultiplied_over_white(TIFFGetG(px), a);
                out[3 * c + 2] = iio_premultiplied_over_white(TIFFGetB(px), a);
            }
        }
    }
    _TIFFfree(raster);
    return status;
}

iio_status iio_tiff_read_region(iio_tiff *h, uint32_t page, uint32_t x, uint32_t y, uint32_t w,
                                uint32_t hgt, uint8_t *rgb, size_t stride, size_t capacity,
                                iio_error *err) {
    iio_status status = select_page(h, page, err);
    if (status != IIO_OK) return status;
    page_tags t;
    read_tags(h->tif, &t);
    if (t.width == 0 || t.height == 0) return iio_fail(err, IIO_ERR_CORRUPT, "image has no pixels");
    if (w == 0 || hgt == 0 || x > t.width || y > t.height || w > t.width - x || hgt > t.height - y)
        return iio_fail(err, IIO_ERR_ARGUMENT, "region %ux%u at (%u, %u) is not inside the %ux%u image", w,
                        hgt, x, y, t.width, t.height);
    if (stride < (size_t)w * 3 || capacity < stride * (hgt - 1) + (size_t)w * 3)
        return iio_fail(err, IIO_ERR_ARGUMENT, "output buffer too small for %ux%u", w, hgt);
    if (!TIFFIsCODECConfigured(t.compression)) {
        char code[IIO_NAME_CAPACITY];
        return iio_fail(err, IIO_ERR_UNSUPPORTED, "compression %s is not available in this libtiff",
                        compression_name(t.compression, code, sizeof code));
    }
    plan p;
    make_plan(h->tif, &t, &p);
    if (p.fast) return read_region_fast(h, &t, &p, x, y, w, hgt, rgb, stride, err);
    return read_region_rgba(h, t.width, x, y, w, hgt, rgb, stride, err);
}

int32_t iio_tiff_codec_available(int32_t compression) {
    return TIFFIsCODECConfigured((uint16_t)compression) ? 1 : 0;
}

/* ------------------------------------------------------------------- writing */

struct iio_tiff_writer {
    TIFF *tif;
    tiff_messages messages;
};

iio_status iio_tiff_writer_open(const char *path, int32_t bigtiff, iio_tiff_writer **out, iio_error *err) {
    *out = NULL;
    iio_tiff_writer *w = (iio_tiff_writer *)calloc(1, sizeof *w);
    if (!w) return iio_fail(err, IIO_ERR_MEMORY, "out of memory");
    TIFFOpenOptions *opts = tiff_options(&w->messages);
    if (!opts) {
        free(w);
        return iio_fail(err, IIO_ERR_MEMORY, "out of memory");
    }
    w->tif = TIFFOpenExt(path, bigtiff ? "w8" : "w", opts);
    TIFFOpenOptionsFree(opts);
    if (!w->tif) {
        iio_status s = tiff_report(&w->messages, err, IIO_ERR_IO, "cannot create file");
        free(w);
        return s;
    }
    *out = w;
    return IIO_OK;
}

static uint16_t photometric_tag(int32_t p) {
    switch (p) {
    case IIO_TIFF_PHOTOMETRIC_MINISWHITE: return PHOTOMETRIC_MINISWHITE;
    case IIO_TIFF_PHOTOMETRIC_MINISBLACK: return PHOTOMETRIC_MINISBLACK;
    case IIO_TIFF_PHOTOMETRIC_PALETTE: return PHOTOMETRIC_PALETTE;
    case IIO_TIFF_PHOTOMETRIC_YCBCR: return PHOTOMETRIC_YCBCR;
    default: return PHOTOMETRIC_RGB;
    }
}

iio_status iio_tiff_writer_add_page(iio_tiff_writer *w, const iio_tiff_page_spec *s, const uint8_t *pixels,
                                    size_t stride, iio_error *err) {
    TIFF *tif = w->tif;
    if (!s || s->width == 0 || s->height == 0 || s->samples_per_pixel < 1 || s->samples_per_pixel > 4)
        return iio_fail(err, IIO_ERR_ARGUMENT, "TIFF page needs a positive size and 1-4 samples");
    const int tiled = s->tile_width > 0 && s->tile_height > 0;
    const int bps = s->bits_per_sample;
    if (bps != 1 && bps != 2 && bps != 4 && bps != 8 && bps != 16)
        return iio_fail(err, IIO_ERR_ARGUMENT, "unsupported bits per sample %d", bps);
    if (bps < 8 && (tiled || s->samples_per_pixel != 1))
        return iio_fail(err, IIO_ERR_ARGUMENT, "sub-byte samples only for single-sample stripped pages");
    if (!TIFFIsCODECConfigured((uint16_t)s->compression))
        return iio_fail(err, IIO_ERR_UNSUPPORTED, "compression %d is not available in this libtiff",
                        s->compression);
    const int separate = s->planar_separate && s->samples_per_pixel > 1;
    TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, s->width);
    TIFFSetField(tif, TIFFTAG_IMAGELENGTH, s->height);
    TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, (uint16_t)bps);
    TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, (uint16_t)s->samples_per_pixel);
    TIFFSetField(tif, TIFFTAG_SAMPLEFORMAT, SAMPLEFORMAT_UINT);
    TIFFSetField(tif, TIFFTAG_PLANARCONFIG, separate ? PLANARCONFIG_SEPARATE : PLANARCONFIG_CONTIG);
    TIFFSetField(tif, TIFFTAG_ORIENTATION, ORIENTATION_TOPLEFT);
    TIFFSetField(tif, TIFFTAG_COMPRESSION, (uint16_t)s->compression);
    uint16_t photometric = photometric_tag(s->photometric);
    TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, photometric);
    if (s->extra_samples > 0) {
        uint16_t kind = s->extra_is_associated ? EXTRASAMPLE_ASSOCALPHA : EXTRASAMPLE_UNASSALPHA;
        TIFFSetField(tif, TIFFTAG_EXTRASAMPLES, (uint16_t)1, &kind);
    }
    if (s->compression == COMPRESSION_WEBP) TIFFSetField(tif, TIFFTAG_WEBP_LOSSLESS, 1);
    if (s->compression == COMPRESSION_JPEG) {
        TIFFSetField(tif, TIFFTAG_JPEGQUALITY, s->jpeg_quality > 0 ? s->jpeg_quality : 90);
        if (photometric == PHOTOMETRIC_YCBCR) TIFFSetField(tif, TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB);
    }
    if (photometric == PHOTOMETRIC_PALETTE) {
        if (!s->colormap) return iio_fail(err, IIO_ERR_ARGUMENT, "palette page without a colormap");
        size_t n = (size_t)1 << bps;
        TIFFSetField(tif, TIFFTAG_COLORMAP, s->colormap, s->colormap + n, s->colormap + 2 * n);
    }
    if (s->resolution_unit == IIO_RES_INCH || s->resolution_unit == IIO_RES_CENTIMETER) {
        TIFFSetField(tif, TIFFTAG_XRESOLUTION, s->x_resolution);
        TIFFSetField(tif, TIFFTAG_YRESOLUTION, s->y_resolution);
        TIFFSetField(tif, TIFFTAG_RESOLUTIONUNIT,
                     (uint16_t)(s->resolution_unit == IIO_RES_INCH ? RESUNIT_INCH : RESUNIT_CENTIMETER));
    }
    if (s->description) TIFFSetField(tif, TIFFTAG_IMAGEDESCRIPTION, s->description);
    const int bytes = bps == 16 ? 2 : 1;
    const int spp = s->samples_per_pixel;
    iio_status status = IIO_OK;
    if (tiled) {
        TIFFSetField(tif, TIFFTAG_TILEWIDTH, s->tile_width);
        TIFFSetField(tif, TIFFTAG_TILELENGTH, s->tile_height);
        tmsize_t tile_bytes = TIFFTileSize(tif);
        uint8_t *tile = tile_bytes > 0 ? (uint8_t *)_TIFFmalloc(tile_bytes) : NULL;
        if (!tile) return tiff_report(&w->messages, err, IIO_ERR_ARGUMENT, "invalid tile size");
        const int planes = separate ? spp : 1;
        const int per_pixel = separate ? 1 : spp;
        for (int plane = 0; plane < planes && status == IIO_OK; ++plane)
            for (uint32_t ty = 0; ty < s->height && status == IIO_OK; ty += s->tile_height)
                for (uint32_t tx = 0; tx < s->width && status == IIO_OK; tx += s->tile_width) {
                    /* Partial edge tiles are padded by replicating the last row and column:
                     * black padding would bleed into real pixels through JPEG blocks. */
                    for (uint32_t r = 0; r < s->tile_height; ++r)
                        for (uint32_t c = 0; c < s->tile_width; ++c)
                            for (int k = 0; k < per_pixel; ++k) {
                                int sample = separate ? plane : k;
                                uint32_t sy = ty + r < s->height ? ty + r : s->height - 1;
                                uint32_t sx = tx + c < s->width ? tx + c : s->width - 1;
                                const uint8_t *src = pixels + (size_t)sy * stride +
                                                     ((size_t)sx * spp + sample) * bytes;
                                uint8_t *dst = tile + (((size_t)r * s->tile_width + c) * per_pixel + k) * bytes;
                                memcpy(dst, src, (size_t)bytes);
                            }
                    uint32_t index = TIFFComputeTile(tif, tx, ty, 0, (uint16_t)plane);
                    if (TIFFWriteEncodedTile(tif, index, tile, tile_bytes) < 0)
                        status = tiff_report(&w->messages, err, IIO_ERR_IO, "cannot write tile");
                }
        _TIFFfree(tile);
    } else {
        uint32_t rows = s->rows_per_strip ? s->rows_per_strip : TIFFDefaultStripSize(tif, 0);
        TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, rows);
        if (!separate) {
            for (uint32_t y = 0; y < s->height && status == IIO_OK; ++y)
                if (TIFFWriteScanline(tif, (void *)(pixels + (size_t)y * stride), y, 0) < 0)
                    status = tiff_report(&w->messages, err, IIO_ERR_IO, "cannot write scanline");
        } else {
            uint8_t *line = (uint8_t *)_TIFFmalloc((tmsize_t)s->width * bytes);
            if (!line) return iio_fail(err, IIO_ERR_MEMORY, "out of memory");
            for (int sample = 0; sample < spp && status == IIO_OK; ++sample)
                for (uint32_t y = 0; y < s->height && status == IIO_OK; ++y) {
                    for (uint32_t x = 0; x < s->width; ++x)
                        memcpy(line + (size_t)x * bytes,
                               pixels + (size_t)y * stride + ((size_t)x * spp + sample) * bytes, (size_t)bytes);
                    if (TIFFWriteScanline(tif, line, y, (uint16_t)sample) < 0)
                        status = tiff_report(&w->messages, err, IIO_ERR_IO, "cannot write scanline");
                }
            _TIFFfree(line);
        }
    }
    if (status == IIO_OK && !TIFFWriteDirectory(tif))
        status = tiff_report(&w->messages, err, IIO_ERR_IO, "cannot write directory");
    return status;
}

iio_status iio_tiff_writer_close(iio_tiff_writer *w, iio_error *err) {
    if (!w) return IIO_OK;
    iio_status status = IIO_OK;
    if (TIFFFlush(w->tif) != 1) status = tiff_report(&w->messages, err, IIO_ERR_IO, "cannot flush file");
    TIFFClose(w->tif);
    if (status == IIO_OK && w->messages.has_error) status = tiff_report(&w->messages, err, IIO_ERR_IO, "write failed");
    free(w);
    return status;
}
