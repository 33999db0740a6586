/*
 * JPEG through libjpeg-turbo's TurboJPEG API (tjDecompress2 / tjCompress2), from memory.
 * TurboJPEG 2.1 does not expose the frame type or the JFIF density, so a small bounded
 * marker walk reads them (it stops at the first scan and never reads past `size`).
 */
#include "iio_internal.h"
#include <stdlib.h>
#include <turbojpeg.h>

typedef struct {
    int found_sof;
    uint8_t sof_marker;
    uint8_t precision;
    uint16_t width, height;
    uint8_t components;
    int jfif;
    uint8_t density_unit;
    uint16_t x_density, y_density;
    int adobe;
} jpeg_markers;

static uint16_t be16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }

static iio_status walk_markers(const uint8_t *data, size_t size, jpeg_markers *m, iio_error *err) {
    memset(m, 0, sizeof *m);
    if (size < 4 || data[0] != 0xFF || data[1] != 0xD8)
        return iio_fail(err, IIO_ERR_CORRUPT, "not a JPEG file (missing SOI marker)");
    size_t i = 2;
    while (i + 1 < size) {
        if (data[i] != 0xFF)
            return iio_fail(err, IIO_ERR_CORRUPT, "corrupt JPEG header: expected a marker at byte %zu", i);
        uint8_t marker = data[i + 1];
        if (marker == 0xFF) { ++i; continue; }                 /* fill byte */
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) { i += 2; continue; }
        if (marker == 0xD9 || marker == 0xDA) break;            /* EOI or first scan */
        if (i + 4 > size) break;
        uint16_t length = be16(data + i + 2);
        if (length < 2 || i + 2 + (size_t)length > size)
            return iio_fail(err, IIO_ERR_CORRUPT, "truncated JPEG header (segment 0xFF%02X at byte %zu)",
                            marker, i);
        const uint8_t *seg = data + i + 4;
        size_t seglen = (size_t)length - 2;
        if (marker == 0xE0 && seglen >= 12 && memcmp(seg, "JFIF\0", 5) == 0) {
            m->jfif = 1;
            m->density_unit = seg[7];
            m->x_density = be16(seg + 8);
            m->y_density = be16(seg + 10);
        } else if (marker == 0xEE && seglen >= 12 && memcmp(seg, "Adobe", 5) == 0) {
            m->adobe = 1;
        } else if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 &&
                   marker != 0xCC && !m->found_sof) {
            if (seglen < 6)
                return iio_fail(err, IIO_ERR_CORRUPT, "truncated JPEG frame header");
            m->found_sof = 1;
            m->sof_marker = marker;
            m->precision = seg[0];
            m->height = be16(seg + 1);
            m->width = be16(seg + 3);
            m->components = seg[5];
        }
        i += 2 + (size_t)length;
    }
    if (!m->found_sof)
        return iio_fail(err, IIO_ERR_CORRUPT, "no JPEG frame header (SOF) before the image data");
    return IIO_OK;
}

static const char *sof_name(uint8_t marker) {
    switch (marker) {
    case 0xC0: return "jpeg-baseline";
    case 0xC1: return "jpeg-extended";
    case 0xC2: return "jpeg-progressive";
    case 0xC3: return "jpeg-lossless";
    case 0xC9: return "jpeg-arithmetic";
    case 0xCA: return "jpeg-progressive-arith";
    default: return "jpeg-hierarchical";
    }
}

static const char *colorspace_name(int cs) {
    switch (cs) {
    case TJCS_RGB: return "rgb";
    case TJCS_YCbCr: return "ycbcr";
    case TJCS_GRAY: return "grey";
    case TJCS_CMYK: return "cmyk";
    case TJCS_YCCK: return "ycck";
    default: return "unknown";
    }
}

/* Reads the header through TurboJPEG too, so info and decode agree on what is supported. */
static iio_status read_header(tjhandle tj, const uint8_t *data, size_t size, int *w, int *h,
                              int *subsamp, int *cs, iio_error *err) {
    if (size > (size_t)0xFFFFFFFFul) return iio_fail(err, IIO_ERR_UNSUPPORTED, "JPEG larger than 4 GiB");
    if (tjDecompressHeader3(tj, data, (unsigned long)size, w, h, subsamp, cs) != 0)
        return iio_fail(err, IIO_ERR_CORRUPT, "libjpeg-turbo: %s", tjGetErrorStr2(tj));
    return IIO_OK;
}

iio_status iio_jpeg_info(const uint8_t *data, size_t size, iio_info *info, iio_error *err) {
    jpeg_markers m;
    iio_status status = walk_markers(data, size, &m, err);
    if (status != IIO_OK) return status;
    if (m.precision != 8)
        return iio_fail(err, IIO_ERR_UNSUPPORTED, "%u-bit JPEG samples are not supported (8-bit only)",
                        m.precision);
    tjhandle tj = tjInitDecompress();
    if (!tj) return iio_fail(err, IIO_ERR_MEMORY, "libjpeg-turbo: %s", tjGetErrorStr2(NULL));
    int w = 0, h = 0, subsamp = 0, cs = 0;
    status = read_header(tj, data, size, &w, &h, &subsamp, &cs, err);
    tjDestroy(tj);
    if (status != IIO_OK) return status;
    iio_clear_info(info);
    info->format = IIO_FORMAT_JPEG;
    info->width = (uint32_t)w;
    info->height = (uint32_t)h;
    info->pages = 1;
    info->bits_per_sample = m.precision;
    info->samples_per_pixel = m.components;
    iio_copy_name(info->color_model, sizeof info->color_model, colorspace_name(cs));
    iio_copy_name(info->compression, sizeof info->compression, sof_name(m.sof_marker));
    info->interlaced = m.sof_marker == 0xC2 || m.sof_marker == 0xC6 || m.sof_marker == 0xCA ||
                       m.sof_marker == 0xCE;
    if (m.jfif && (m.density_unit == 1 || m.density_unit == 2) && m.x_density && m.y_density) {
        info->resolution_unit = m.density_unit == 1 ? IIO_RES_INCH : IIO_RES_CENTIMETER;
        info->x_resolution = m.x_density;
        info->y_resolution = m.y_density;
    }
    return IIO_OK;
}

iio_status iio_jpeg_decode(const uint8_t *data, size_t size, uint8_t *rgb, size_t stride,
                           size_t capacity, iio_error *err) {
    jpeg_markers m;
    iio_status status = walk_markers(data, size, &m, err);
    if (status != IIO_OK) return status;
    if (m.precision != 8)
        return iio_fail(err, IIO_ERR_UNSUPPORTED, "%u-bit JPEG samples are not supported (8-bit only)",
                        m.precision);
    tjhandle tj = tjInitDecompress();
    if (!tj) return iio_fail(err, IIO_ERR_MEMORY, "libjpeg-turbo: %s", tjGetErrorStr2(NULL));
    int w = 0, h = 0, subsamp = 0, cs = 0;
    status = read_header(tj, data, size, &w, &h, &subsamp, &cs, err);
    if (status == IIO_OK && (cs == TJCS_CMYK || cs == TJCS_YCCK))
        status = iio_fail(err, IIO_ERR_UNSUPPORTED, "%s JPEG is not supported (RGB, YCbCr or grey only)",
                          colorspace_name(cs));
    if (status == IIO_OK &&
        (stride < (size_t)w * 3 || capacity < stride * (size_t)(h - 1) + (size_t)w * 3))
        status = iio_fail(err, IIO_ERR_ARGUMENT, "output buffer too small for %dx%d", w, h);
    if (status == IIO_OK) {
        /* Warnings (premature end of data, corrupt entropy data) would leave grey or
         * garbled blocks in a tile that is then scored: they are errors here. */
        int flags = TJFLAG_STOPONWARNING | TJFLAG_LIMITSCANS;
        if (tjDecompress2(tj, data, (unsigned long)size, rgb, w, (int)stride, h, TJPF_RGB, flags) != 0)
            status = iio_fail(err, IIO_ERR_CORRUPT, "libjpeg-turbo: %s", tjGetErrorStr2(tj));
    }
    tjDestroy(tj);
    return status;
}

iio_status iio_jpeg_write(const char *path, const iio_jpeg_spec *spec, const uint8_t *pixels,
                          size_t stride, iio_error *err) {
    if (!spec || spec->width == 0 || spec->height == 0 ||
        (spec->channels != 1 && spec->channels != 3 && spec->channels != 4))
        return iio_fail(err, IIO_ERR_ARGUMENT, "JPEG needs positive size and 1, 3 or 4 (CMYK) channels");
    if (spec->width > 65500 || spec->height > 65500)
        return iio_fail(err, IIO_ERR_ARGUMENT, "JPEG cannot hold %ux%u (65500 max)", spec->width,
                        spec->height);
    int subsamp = TJSAMP_444;
    if (spec->channels == 1) subsamp = TJSAMP_GRAY;
    else if (spec->subsampling == 420) subsamp = TJSAMP_420;
    else if (spec->subsampling == 422) subsamp = TJSAMP_422;
    int flags = spec->progressive ? TJFLAG_PROGRESSIVE : 0;
    tjhandle tj = tjInitCompress();
    if (!tj) return iio_fail(err, IIO_ERR_MEMORY, "libjpeg-turbo: %s", tjGetErrorStr2(NULL));
    unsigned char *jpeg = NULL;
    unsigned long jpeg_size = 0;
    int pf = spec->channels == 1 ? TJPF_GRAY : (spec->channels == 4 ? TJPF_CMYK : TJPF_RGB);
    if (spec->channels == 4) subsamp = TJSAMP_444;
    int quality = spec->quality < 1 ? 1 : (spec->quality > 100 ? 100 : spec->quality);
    if (tjCompress2(tj, pixels, (int)spec->width, (int)stride, (int)spec->height, pf, &jpeg, &jpeg_size,
                    subsamp, quality, flags) != 0) {
        iio_status s = iio_fail(err, IIO_ERR_IO, "libjpeg-turbo: %s", tjGetErrorStr2(tj));
        tjFree(jpeg);
        tjDestroy(tj);
        return s;
    }
    tjDestroy(tj);
    /* TurboJPEG writes a JFIF APP0 with aspect-only density; put the pixel size there. */
    if (spec->density_unit && jpeg_size > 18 && jpeg[2] == 0xFF && jpeg[3] == 0xE0 &&
        memcmp(jpeg + 6, "JFIF\0", 5) == 0) {
        jpeg[13] = (uint8_t)spec->density_unit;
        jpeg[14] = (uint8_t)(spec->x_density >> 8);
        jpeg[15] = (uint8_t)(spec->x_density & 0xFF);
        jpeg[16] = (uint8_t)(spec->y_density >> 8);
        jpeg[17] = (uint8_t)(spec->y_density & 0xFF);
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
        tjFree(jpeg);
        return iio_fail(err, IIO_ERR_IO, "cannot create file: %s", strerror(errno));
    }
    size_t written = fwrite(jpeg, 1, jpeg_size, f);
    int failed = written != jpeg_size || fflush(f) != 0;
    int saved_errno = errno;
    failed |= fclose(f) != 0;
    tjFree(jpeg);
    if (failed) return iio_fail(err, IIO_ERR_IO, "write failed: %s", strerror(saved_errno));
    return IIO_OK;
}
