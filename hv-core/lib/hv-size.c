/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>

#include "hv-error.h"
#include "hv-size.h"

/* Multipliers from a suffix's first letter to MiB. */
static gboolean
suffix_to_mib (const char *suffix, guint64 *factor)
{
  char unit = g_ascii_toupper (suffix[0]);
  const char *rest = suffix + 1;

  switch (unit)
    {
      case '\0':
      case 'M':
        *factor = 1;
        break;
      case 'G':
        *factor = 1024;
        break;
      case 'T':
        *factor = 1024 * 1024;
        break;
      default:
        return FALSE;
    }
  if (unit == '\0')
    return TRUE;
  /* "M", "MB" and "MiB" all mean MiB, as people write them. */
  return *rest == '\0' || g_ascii_strcasecmp (rest, "B") == 0 ||
         g_ascii_strcasecmp (rest, "iB") == 0;
}

static gboolean
set_invalid (GError **error, const char *text)
{
  g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
               _ ("Invalid size “%s”: give a number of MiB, or a number followed by M, G or T "
                  "(for example 512M or 2G)"),
               text);
  return FALSE;
}

gboolean
hv_parse_size_mib (const char *text, guint64 *out_mib, GError **error)
{
  guint64 number;
  guint64 factor;
  char *end = NULL;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (out_mib != NULL, FALSE);

  /* g_ascii_strtoull () would take a sign or blanks: only digits may start. */
  if (!g_ascii_isdigit (text[0]))
    return set_invalid (error, text);
  errno = 0;
  number = g_ascii_strtoull (text, &end, 10);
  if (errno != 0 || !suffix_to_mib (end, &factor))
    return set_invalid (error, text);
  if (number == 0)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                   _ ("Invalid size “%s”: it must be more than zero"), text);
      return FALSE;
    }
  if (number > G_MAXUINT64 / factor)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT, _ ("Invalid size “%s”: too large"),
                   text);
      return FALSE;
    }
  *out_mib = number * factor;
  return TRUE;
}

char *
hv_format_size_mib (guint64 mib)
{
  if (mib != 0 && mib % (1024 * 1024) == 0)
    return g_strdup_printf ("%" G_GUINT64_FORMAT "T", mib / (1024 * 1024));
  if (mib != 0 && mib % 1024 == 0)
    return g_strdup_printf ("%" G_GUINT64_FORMAT "G", mib / 1024);
  return g_strdup_printf ("%" G_GUINT64_FORMAT "M", mib);
}
