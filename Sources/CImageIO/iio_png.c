/*
 * PNG through libpng's progressive-free "full" API, read from memory.
 * libpng reports errors by longjmp: every setjmp lives in this file and each public
 * function returns a status. Transforms bring every variant (1/2/4/8/16-bit, grey,
 * grey+alpha, palette with or without tRNS, RGB, RGBA, Adam7) to RGB8 or RGBA8; alpha is
 * composited onto white here so callers only ever see RGB.
 * iio_png_decode tries the fast path of iio_png_fast.c first (8-bit RGB only) and comes
 * here for everything it declines.
 */
#include "iio_internal.h"
#include <png.h>
#include <setjmp.h>
#include <stdlib.h>

typedef struct {
    const uint8_t *data;
    size_t size;
    size_t offset;
    iio_error *err;
} png_source;

static void png_error_fn(png_structp png, png_const_charp message) {
    png_source *src = (png_source *)png_get_error_ptr(png);
    if (src && src->err) iio_fail(src->err, IIO_ERR_CORRUPT, "libpng: %s", message);
    png_longjmp(png, 1);
}

static void png_warning_fn(png_structp png, png_const_charp message) {
    (void)png;
    (void)message; /* benign (e.g. unknown ancillary chunk); the pixels are still right */
}

static void png_read_fn(png_structp png, png_bytep out, size_t count) {
    png_source *src = (png_source *)png_get_io_ptr(png);
    if (count > src->size - src->offset) png_error(png, "unexpected end of file (truncated data)");
    memcpy(out, src->data + src->offset, count);
    src->offset += count;
}

static const char *png_color_name(int color_type) {
    switch (color_type) {
    case PNG_COLOR_TYPE_GRAY: return "grey";
    case PNG_COLOR_TYPE_GRAY_ALPHA: return "grey+alpha";
    case PNG_COLOR_TYPE_RGB: return "rgb";
    case PNG_COLOR_TYPE_RGB_ALPHA: return "rgba";
    case PNG_COLOR_TYPE_PALETTE: return "palette";
    default: return "unknown";
    }
}

static void fill_png_info(png_structp png, png_infop pinfo, iio_info *info) {
    iio_clear_info(info);
    info->format = IIO_FORMAT_PNG;
    info->width = png_get_image_width(png, pinfo);
    info->height = png_get_image_height(png, pinfo);
    info->pages = 1;
    int color_type = png_get_color_type(png, pinfo);
    info->bits_per_sample = png_get_bit_depth(png, pinfo);
    info->samples_per_pixel = png_get_channels(png, pinfo);
    info->has_alpha = (color_type & PNG_COLOR_MASK_ALPHA) || png_get_valid(png, pinfo, PNG_INFO_tRNS);
    iio_copy_name(info->color_model, sizeof info->color_model, png_color_name(color_type));
    iio_copy_name(info->compression, sizeof info->compression, "deflate");
    info->interlaced = png_get_interlace_type(png, pinfo) != PNG_INTERLACE_NONE;
    png_uint_32 rx = 0, ry = 0;
    int unit = 0;
    if (png_get_pHYs(png, pinfo, &rx, &ry, &unit) && unit == PNG_RESOLUTION_METER && rx && ry) {
        info->resolution_unit = IIO_RES_METER;
        info->x_resolution = rx;
        info->y_resolution = ry;
    }
}

/* Everything that must survive a longjmp lives in this struct, reached through a pointer. */
typedef struct {
    png_structp png;
    png_infop info;
    png_bytep scratch;
    png_bytepp rows;
} png_reader;

static void png_reader_free(png_reader *r) {
    if (r->png) png_destroy_read_struct(&r->png, r->info ? &r->info : NULL, NULL);
    free(r->scratch);
    free(r->rows);
    r->png = NULL;
    r->info = NULL;
    r->scratch = NULL;
    r->rows = NULL;
}

static iio_status png_reader_begin(png_reader *r, png_source *src, iio_error *err) {
    memset(r, 0, sizeof *r);
    if (src->size < 8 || png_sig_cmp(src->data, 0, 8) != 0)
        return iio_fail(err, IIO_ERR_CORRUPT, "not a PNG file (bad signature)");
    r->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, src, png_error_fn, png_warning_fn);
    if (!r->png) return iio_fail(err, IIO_ERR_MEMORY, "libpng: cannot create read struct");
    r->info = png_create_info_struct(r->png);
    if (!r->info) {
        png_reader_free(r);
        return iio_fail(err, IIO_ERR_MEMORY, "libpng: cannot create info struct");
    }
    png_set_read_fn(r->png, src, png_read_fn);
    return IIO_OK;
}

iio_status iio_png_info(const uint8_t *data, size_t size, iio_info *info, iio_error *err) {
    png_source src = {data, size, 0, err};
    png_reader reader;
    png_reader *volatile r = &reader;
    iio_status status = png_reader_begin(r, &src, err);
    if (status != IIO_OK) return status;
    if (setjmp(png_jmpbuf(r->png))) {
        png_reader_free(r);
        return IIO_ERR_CORRUPT;
    }
    png_read_info(r->png, r->info);
    fill_png_info(r->png, r->info, info);
    png_reader_free(r);
    return IIO_OK;
}

/* Converts one RGBA8 row to RGB8 over white. */
static void rgba_row_over_white(const uint8_t *in, uint8_t *out, uint32_t width) {
    for (uint32_t x = 0; x < width; ++x) {
        uint32_t a = in[4 * x + 3];
        out[3 * x + 0] = iio_over_white(in[4 * x + 0], a);
        out[3 * x + 1] = iio_over_white(in[4 * x + 1], a);
        out[3 * x + 2] = iio_over_white(in[4 * x + 2], a);
    }
}

iio_status iio_png_decode(const uint8_t *data, size_t size, uint8_t *rgb, size_t stride,
                          size_t capacity, iio_error *err) {
    if (iio_png_fast_decode(data, size, rgb, stride, capacity, 1, NULL, 0) == IIO_PNG_FAST_OK)
        return IIO_OK;
    return iio_png_decode_libpng(data, size, rgb, stride, capacity, err);
}

iio_status iio_png_decode_fast(const uint8_t *data, size_t size, uint8_t *rgb, size_t stride,
                               size_t capacity, int32_t simd, iio_error *err) {
    char why[IIO_MESSAGE_CAPACITY - 64];
    if (iio_png_fast_decode(data, size, rgb, stride, capacity, simd, why, sizeof why) == IIO_PNG_FAST_OK)
        return IIO_OK;
    return iio_fail(err, IIO_ERR_UNSUPPORTED, "PNG fast path declined: %s", why);
}

iio_status iio_png_decode_libpng(const uint8_t *data, size_t size, uint8_t *rgb, size_t stride,
                                 size_t capacity, iio_error *err) {
    png_source src = {data, size, 0, err};
    png_reader reader;
    png_reader *volatile r = &reader;
    iio_status status = png_reader_begin(r, &src, err);
    if (status != IIO_OK) return status;
    if (setjmp(png_jmpbuf(r->png))) {
        png_reader_free(r);
        return IIO_ERR_CORRUPT;
    }
    png_read_info(r->png, r->info);
    uint32_t width = png_get_image_width(r->png, r->info);
    uint32_t height = png_get_image_height(r->png, r->info);
    if (stride < (size_t)width * 3 || capacity < stride * (height - 1) + (size_t)width * 3) {
        png_reader_free(r);
        return iio_fail(err, IIO_ERR_ARGUMENT, "output buffer too small for %ux%u", width, height);
    }
    int color_type = png_get_color_type(r->png, r->info);
    int depth = png_get_bit_depth(r->png, r->info);
    if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(r->png);
    if (color_type == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(r->png);
    if (png_get_valid(r->png, r->info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(r->png);
    if (depth == 16) png_set_scale_16(r->png);
    if (!(color_type & PNG_COLOR_MASK_COLOR)) png_set_gray_to_rgb(r->png);
    int passes = png_set_interlace_handling(r->png);
    png_read_update_info(r->png, r->info);
    int channels = png_get_channels(r->png, r->info);
    if (png_get_bit_depth(r->png, r->info) != 8 || (channels != 3 && channels != 4))
        png_error(r->png, "unexpected layout after transforms");

    if (channels == 3) {
        r->rows = (png_bytepp)malloc(sizeof(png_bytep) * (height ? height : 1));
        if (!r->rows) png_error(r->png, "out of memory");
        for (uint32_t y = 0; y < height; ++y) r->rows[y] = rgb + (size_t)y * stride;
        png_read_image(r->png, r->rows);
    } else if (passes == 1) {
        /* Non-interlaced with alpha: one RGBA scratch row, composited as it arrives. */
        r->scratch = (png_bytep)malloc((size_t)width * 4 + 1);
        if (!r->scratch) png_error(r->png, "out of memory");
        for (uint32_t y = 0; y < height; ++y) {
            png_read_row(r->png, r->scratch, NULL);
            rgba_row_over_white(r->scratch, rgb + (size_t)y * stride, width);
        }
    } else {
        /* Adam7 with alpha: the passes refine the whole image, so keep it as RGBA. */
        r->scratch = (png_bytep)malloc((size_t)width * 4 * height + 1);
        r->rows = (png_bytepp)malloc(sizeof(png_bytep) * (height ? height : 1));
        if (!r->scratch || !r->rows) png_error(r->png, "out of memory");
        for (uint32_t y = 0; y < height; ++y) r->rows[y] = r->scratch + (size_t)y * width * 4;
        png_read_image(r->png, r->rows);
        for (uint32_t y = 0; y < height; ++y)
            rgba_row_over_white(r->rows[y], rgb + (size_t)y * stride, width);
    }
    png_read_end(r->png, NULL);
    png_reader_free(r);
    return IIO_OK;
}

/* ------------------------------------------------------- grey samples, lossless */

iio_status iio_png_decode_grey16(const uint8_t *data, size_t size, uint16_t *out, size_t stride,
                                 size_t capacity, iio_error *err) {
    png_source src = {data, size, 0, err};
    png_reader reader;
    png_reader *volatile r = &reader;
    iio_status status = png_reader_begin(r, &src, err);
    if (status != IIO_OK) return status;
    if (setjmp(png_jmpbuf(r->png))) {
        png_reader_free(r);
        return IIO_ERR_CORRUPT;
    }
    png_read_info(r->png, r->info);
    uint32_t width = png_get_image_width(r->png, r->info);
    uint32_t height = png_get_image_height(r->png, r->info);
    int color_type = png_get_color_type(r->png, r->info);
    int depth = png_get_bit_depth(r->png, r->info);
    if (color_type != PNG_COLOR_TYPE_GRAY) {
        png_reader_free(r);
        return iio_fail(err, IIO_ERR_UNSUPPORTED,
                        "a %d-bit %s PNG, not single-channel grey (label images need one grey channel)",
                        depth, png_color_name(color_type));
    }
    if (stride < (size_t)width || capacity < stride * (height - 1) + (size_t)width) {
        png_reader_free(r);
        return iio_fail(err, IIO_ERR_ARGUMENT, "output buffer too small for %ux%u", width, height);
    }
    /* 1/2/4-bit samples one per byte, values kept (png_set_packing does not rescale); tRNS
     * ignored: the stored values are the labels. */
    if (depth < 8) png_set_packing(r->png);
    (void)png_set_interlace_handling(r->png);
    png_read_update_info(r->png, r->info);
    size_t row_bytes = png_get_rowbytes(r->png, r->info);
    size_t sample_bytes = depth == 16 ? 2 : 1;
    if (png_get_channels(r->png, r->info) != 1 || row_bytes != (size_t)width * sample_bytes)
        png_error(r->png, "unexpected layout after transforms");
    /* The whole image in PNG's own (big-endian) layout, so Adam7 passes need no special case. */
    r->scratch = (png_bytep)malloc(row_bytes * height + 1);
    r->rows = (png_bytepp)malloc(sizeof(png_bytep) * (height ? height : 1));
    if (!r->scratch || !r->rows) png_error(r->png, "out of memory");
    for (uint32_t y = 0; y < height; ++y) r->rows[y] = r->scratch + (size_t)y * row_bytes;
    png_read_image(r->png, r->rows);
    png_read_end(r->png, NULL);
    for (uint32_t y = 0; y < height; ++y) {
        const uint8_t *in = r->rows[y];
        uint16_t *o = out + (size_t)y * stride;
        if (sample_bytes == 2)
            for (uint32_t x = 0; x < width; ++x) o[x] = (uint16_t)((in[2 * x] << 8) | in[2 * x + 1]);
        else
            for (uint32_t x = 0; x < width; ++x) o[x] = in[x];
    }
    png_reader_free(r);
    return IIO_OK;
}

/* ------------------------------------------------------------------- writing */

typedef struct {
    png_structp png;
    png_infop info;
    FILE *file;
    png_bytepp rows;
    iio_error *err;
} png_writer;

static void png_write_error_fn(png_structp png, png_const_charp message) {
    png_writer *w = (png_writer *)png_get_error_ptr(png);
    if (w && w->err) iio_fail(w->err, IIO_ERR_IO, "libpng: %s", message);
    png_longjmp(png, 1);
}

static void png_writer_free(png_writer *w) {
    if (w->png) png_destroy_write_struct(&w->png, w->info ? &w->info : NULL);
    if (w->file) fclose(w->file);
    free(w->rows);
    w->png = NULL;
    w->info = NULL;
    w->file = NULL;
    w->rows = NULL;
}

iio_status iio_png_write(const char *path, const iio_png_spec *spec, const uint8_t *rows,
                         size_t row_bytes, iio_error *err) {
    if (!spec || spec->width == 0 || spec->height == 0)
        return iio_fail(err, IIO_ERR_ARGUMENT, "PNG width and height must be positive");
    png_writer writer;
    memset(&writer, 0, sizeof writer);
    png_writer *volatile w = &writer;
    w->err = err;
    w->file = fopen(path, "wb");
    if (!w->file) return iio_fail(err, IIO_ERR_IO, "cannot create file: %s", strerror(errno));
    w->png = png_create_write_struct(PNG_LIBPNG_VER_STRING, w, png_write_error_fn, png_warning_fn);
    if (!w->png) {
        png_writer_free(w);
        return iio_fail(err, IIO_ERR_MEMORY, "libpng: cannot create write struct");
    }
    w->info = png_create_info_struct(w->png);
    if (!w->info) {
        png_writer_free(w);
        return iio_fail(err, IIO_ERR_MEMORY, "libpng: cannot create info struct");
    }
    if (setjmp(png_jmpbuf(w->png))) {
        png_writer_free(w);
        return IIO_ERR_IO;
    }
    png_init_io(w->png, w->file);
    png_set_IHDR(w->png, w->info, spec->width, spec->height, spec->bit_depth, spec->color_type,
                 spec->interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (spec->color_type == PNG_COLOR_TYPE_PALETTE) {
        if (!spec->palette || spec->palette_entries <= 0 || spec->palette_entries > 256)
            png_error(w->png, "palette image without a palette");
        png_color colors[256];
        for (int i = 0; i < spec->palette_entries; ++i) {
            colors[i].red = spec->palette[3 * i];
            colors[i].green = spec->palette[3 * i + 1];
            colors[i].blue = spec->palette[3 * i + 2];
        }
        png_set_PLTE(w->png, w->info, colors, spec->palette_entries);
        if (spec->palette_alpha && spec->palette_alpha_entries > 0)
            png_set_tRNS(w->png, w->info, spec->palette_alpha, spec->palette_alpha_entries, NULL);
    }
    if (spec->pixels_per_meter_x && spec->pixels_per_meter_y)
        png_set_pHYs(w->png, w->info, spec->pixels_per_meter_x, spec->pixels_per_meter_y,
                     PNG_RESOLUTION_METER);
    if (spec->compression_level >= 0) png_set_compression_level(w->png, spec->compression_level);
    if (spec->fast_filters) png_set_filter(w->png, 0, PNG_FILTER_NONE);
    else if (spec->filters) png_set_filter(w->png, 0, spec->filters & PNG_ALL_FILTERS);
    if (spec->idat_size) png_set_compression_buffer_size(w->png, spec->idat_size);
    w->rows = (png_bytepp)malloc(sizeof(png_bytep) * spec->height);
    if (!w->rows) png_error(w->png, "out of memory");
    for (uint32_t y = 0; y < spec->height; ++y) w->rows[y] = (png_bytep)(rows + (size_t)y * row_bytes);
    png_write_info(w->png, w->info);
    png_write_image(w->png, w->rows);
    png_write_end(w->png, w->info);
    if (fflush(w->file) != 0 || ferror(w->file))
        png_error(w->png, "write failed (disk full?)");
    int closed = fclose(w->file);
    w->file = NULL;
    png_writer_free(w);
    if (closed != 0) return iio_fail(err, IIO_ERR_IO, "cannot close file: %s", strerror(errno));
    return IIO_OK;
}
