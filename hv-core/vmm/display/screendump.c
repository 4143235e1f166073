/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "screendump.h"

#include <glib/gi18n-lib.h>
#include <string.h>
#include <zlib.h>

#include "vmm-error.h"

static void
png_put32 (GByteArray *out, uint32_t v)
{
  uint8_t be[4] = { v >> 24, v >> 16, v >> 8, v };

  g_byte_array_append (out, be, 4);
}

static void
png_chunk (GByteArray *out, const char type[4], const uint8_t *data, size_t len)
{
  uLong crc = crc32 (0, (const Bytef *) type, 4);

  png_put32 (out, len);
  g_byte_array_append (out, (const guint8 *) type, 4);
  if (len > 0)
    {
      g_byte_array_append (out, data, len);
      crc = crc32 (crc, data, len);
    }
  png_put32 (out, crc);
}

/* Rows of filter type 0 (none) followed by RGB triples. */
static uint8_t *
png_raw_rows (Framebuffer *fb, size_t *len)
{
  unsigned w = framebuffer_get_width (fb), h = framebuffer_get_height (fb);
  unsigned stride = framebuffer_get_stride (fb);
  const uint8_t *src = framebuffer_get_pixels (fb);
  size_t row = 1 + (size_t) w * 3;
  uint8_t *raw = g_malloc (row * h);

  for (unsigned y = 0; y < h; y++)
    {
      uint8_t *dst = raw + y * row;
      const uint8_t *p = src + (size_t) y * stride;

      *dst++ = 0;
      /* xRGB in memory is B, G, R, x. */
      for (unsigned x = 0; x < w; x++, p += 4)
        {
          *dst++ = p[2];
          *dst++ = p[1];
          *dst++ = p[0];
        }
    }
  *len = row * h;
  return raw;
}

static GByteArray *
png_encode (Framebuffer *fb)
{
  static const uint8_t signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  GByteArray *out = g_byte_array_new ();
  uint8_t ihdr[13] = { 0 };
  size_t raw_len;
  g_autofree uint8_t *raw = png_raw_rows (fb, &raw_len);
  uLongf z_len = compressBound (raw_len);
  g_autofree uint8_t *z = g_malloc (z_len);

  for (int i = 0; i < 4; i++)
    {
      ihdr[i] = framebuffer_get_width (fb) >> (24 - 8 * i);
      ihdr[4 + i] = framebuffer_get_height (fb) >> (24 - 8 * i);
    }
  ihdr[8] = 8; /* bits per channel */
  ihdr[9] = 2; /* truecolour */
  g_byte_array_append (out, signature, sizeof signature);
  png_chunk (out, "IHDR", ihdr, sizeof ihdr);
  /* Speed over size: a screenshot is taken while the guest runs. */
  if (compress2 (z, &z_len, raw, raw_len, Z_BEST_SPEED) != Z_OK)
    {
      g_byte_array_unref (out);
      return NULL;
    }
  png_chunk (out, "IDAT", z, z_len);
  png_chunk (out, "IEND", NULL, 0);
  return out;
}

gboolean
screendump_write_png (Framebuffer *fb, const char *path, GError **error)
{
  g_autoptr (GByteArray) png = png_encode (fb);

  if (png == NULL)
    {
      g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_FAILED,
                   _ ("Could not compress the screenshot. Try again."));
      return FALSE;
    }
  return g_file_set_contents_full (path, (const char *) png->data, png->len,
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}
