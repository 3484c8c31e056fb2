/* png.c - a minimal PNG encoder for the report's own pictures (the atomic snapshots).
 *
 * A PNG (ISO/IEC 15948, W3C PNG specification) is the 8-byte signature followed by chunks,
 * each: 4-byte big-endian length, 4-byte type, data, CRC-32 of type + data. We write
 *   IHDR  width, height, bit depth 8, colour type 2 (RGB), compression 0, filter 0,
 *         interlace 0;
 *   IDAT  the zlib stream (deflate, zlib's compress2) of the scanlines, each prefixed by
 *         filter type 0 (none): height * (1 + 3 * width) bytes;
 *   IEND  empty.
 * CRC-32 and deflate come from zlib. Pixels are given row-major, 3 bytes per pixel. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "report_internal.h"

static void put_u32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8), p[3] = (unsigned char)v;
}

static int write_chunk(FILE *fp, const char *type, const unsigned char *data, uint32_t len)
{
    unsigned char head[8], tail[4];
    put_u32(head, len);
    memcpy(head + 4, type, 4);
    uLong crc = crc32(0L, Z_NULL, 0);
    crc = crc32(crc, (const Bytef *)type, 4);
    if (len) crc = crc32(crc, data, len);
    put_u32(tail, (uint32_t)crc);
    return fwrite(head, 1, 8, fp) == 8 && (len == 0 || fwrite(data, 1, len, fp) == len) &&
           fwrite(tail, 1, 4, fp) == 4;
}

/* The filtered scanlines, compressed; *out allocated. */
static gmd_status deflate_rows(int w, int h, const uint8_t *rgb, unsigned char **out,
                               uLongf *outlen, gmd_error *err)
{
    size_t row = 1 + 3 * (size_t)w, raw_len = row * (size_t)h;
    unsigned char *raw = gmd_calloc(raw_len, 1, "PNG scanlines", err);
    if (!raw) return GMD_ERR_NOMEM;
    for (int y = 0; y < h; y++)
        memcpy(raw + (size_t)y * row + 1, rgb + (size_t)y * 3 * (size_t)w, 3 * (size_t)w);
    *outlen = compressBound((uLong)raw_len);
    *out = gmd_calloc(*outlen, 1, "PNG data", err);
    gmd_status st = *out ? GMD_OK : GMD_ERR_NOMEM;
    if (!st && compress2(*out, outlen, raw, (uLong)raw_len, 6) != Z_OK)
        st = gmd_fail(err, GMD_ERR_INTERNAL, "PNG: zlib could not compress the image");
    free(raw);
    return st;
}

gmd_status rpt_png_write(const char *path, int width, int height, const uint8_t *rgb,
                         gmd_error *err)
{
    static const unsigned char signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (width < 1 || height < 1) return gmd_fail(err, GMD_ERR_INTERNAL, "%s: empty image", path);
    unsigned char *z = NULL, ihdr[13] = {0};
    uLongf zlen = 0;
    gmd_status st = deflate_rows(width, height, rgb, &z, &zlen, err);
    if (st) return st;
    put_u32(ihdr, (uint32_t)width);
    put_u32(ihdr + 4, (uint32_t)height);
    ihdr[8] = 8, ihdr[9] = 2; /* 8 bits per sample, RGB */
    FILE *fp = fopen(path, "wb");
    if (!fp) {
        free(z);
        return gmd_fail(err, GMD_ERR_IO, "%s: cannot create (%s)", path, strerror(errno));
    }
    int ok = fwrite(signature, 1, 8, fp) == 8 && write_chunk(fp, "IHDR", ihdr, 13) &&
             write_chunk(fp, "IDAT", z, (uint32_t)zlen) && write_chunk(fp, "IEND", NULL, 0);
    free(z);
    if (fclose(fp) != 0 || !ok)
        return gmd_fail(err, GMD_ERR_IO, "%s: write failed (disk full?)", path);
    return GMD_OK;
}
