/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdarg.h>
#include <string.h>

#include "hv-error.h"
#include "hv-keyfile-private.h"

static gboolean
line_is_group (const char *line)
{
  gsize len = strlen (line);

  return len > 2 && line[0] == '[' && line[len - 1] == ']' &&
         strpbrk (line + 1, "[]") == line + len - 1;
}

static gboolean
line_is_key (const char *line)
{
  const char *equals = strchr (line, '=');

  return equals != NULL && equals != line && line[0] != ' ' && line[0] != '\t';
}

/* GKeyFile says what is wrong but not where: find the first bad line. */
static gboolean
check_lines (const char *data, const char *filename, GError **error)
{
  g_auto (GStrv) lines = g_strsplit (data, "\n", -1);
  gboolean in_group = FALSE;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *line = g_strstrip (g_strdup (lines[i]));

      if (line[0] == '\0' || line[0] == '#')
        continue;
      if (line_is_group (line))
        {
          in_group = TRUE;
          continue;
        }
      if (line_is_key (line) && in_group)
        continue;
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                   in_group ? _ ("%s, line %u: “%s” is neither a “[group]” nor a “key=value” line")
                            : _ ("%s, line %u: “%s” comes before the first “[group]” line"),
                   filename, i + 1, line);
      return FALSE;
    }
  return TRUE;
}

gboolean
_hv_key_reader_init (HvKeyReader *reader, const char *data, const char *filename, GError **error)
{
  g_autoptr (GError) local_error = NULL;

  reader->data = data;
  reader->filename = filename;
  reader->key_file = g_key_file_new ();
  if (!g_utf8_validate (data, -1, NULL))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                   _ ("%s is not UTF-8 text: it is not a Hangar settings file"), filename);
      return FALSE;
    }
  if (!check_lines (data, filename, error))
    return FALSE;
  if (!g_key_file_load_from_data (reader->key_file, data, -1, G_KEY_FILE_KEEP_COMMENTS,
                                  &local_error))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT, _ ("%s: %s"), filename,
                   local_error->message);
      return FALSE;
    }
  return TRUE;
}

void
_hv_key_reader_clear (HvKeyReader *reader)
{
  g_clear_pointer (&reader->key_file, g_key_file_unref);
}

/* The 1-based line of KEY in GROUP (of GROUP itself when KEY is NULL); 0 if
 * not found. The last occurrence wins, as in GKeyFile. */
static guint
find_line (const char *data, const char *group, const char *key)
{
  g_auto (GStrv) lines = g_strsplit (data, "\n", -1);
  g_autofree char *header = g_strdup_printf ("[%s]", group);
  gboolean in_group = FALSE;
  guint found = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *line = g_strstrip (g_strdup (lines[i]));
      const char *equals = strchr (line, '=');

      if (line_is_group (line))
        {
          in_group = g_str_equal (line, header);
          if (in_group && key == NULL)
            found = i + 1;
          continue;
        }
      if (in_group && key != NULL && equals != NULL)
        {
          g_autofree char *name = g_strstrip (g_strndup (line, equals - line));
          if (g_str_equal (name, key))
            found = i + 1;
        }
    }
  return found;
}

void
_hv_key_reader_error (const HvKeyReader *reader, const char *group, const char *key, GError **error,
                      const char *format, ...)
{
  g_autofree char *message = NULL;
  guint line = find_line (reader->data, group, key);
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  if (line == 0)
    g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT, _ ("%s: %s"), reader->filename,
                 message);
  else
    g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT, _ ("%s, line %u: %s"),
                 reader->filename, line, message);
}

gboolean
_hv_key_reader_string (const HvKeyReader *reader, const char *group, const char *key,
                       gboolean required, char **out, GError **error)
{
  g_autoptr (GError) local_error = NULL;

  *out = NULL;
  if (!g_key_file_has_key (reader->key_file, group, key, NULL))
    {
      if (!required)
        return TRUE;
      if (g_key_file_has_group (reader->key_file, group))
        _hv_key_reader_error (reader, group, NULL, error, _ ("the [%s] group has no “%s” key"),
                              group, key);
      else
        g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                     _ ("%s: there is no [%s] group with a “%s” key"), reader->filename, group,
                     key);
      return FALSE;
    }
  *out = g_key_file_get_string (reader->key_file, group, key, &local_error);
  if (*out == NULL)
    {
      _hv_key_reader_error (reader, group, key, error, "%s", local_error->message);
      return FALSE;
    }
  return TRUE;
}

gboolean
_hv_key_reader_uint (const HvKeyReader *reader, const char *group, const char *key, guint min,
                     guint max, guint *out, GError **error)
{
  g_autofree char *text = NULL;
  guint64 value;

  if (!_hv_key_reader_string (reader, group, key, FALSE, &text, error))
    return FALSE;
  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, min, max, &value, NULL))
    {
      _hv_key_reader_error (reader, group, key, error,
                            _ ("%s “%s” is not a whole number from %u to %u"), key, text, min, max);
      return FALSE;
    }
  *out = value;
  return TRUE;
}

gboolean
_hv_key_reader_boolean (const HvKeyReader *reader, const char *group, const char *key,
                        gboolean *out, GError **error)
{
  g_autofree char *text = NULL;

  if (!_hv_key_reader_string (reader, group, key, FALSE, &text, error))
    return FALSE;
  if (text == NULL)
    return TRUE;
  if (g_str_equal (text, "true") || g_str_equal (text, "false"))
    {
      *out = g_str_equal (text, "true");
      return TRUE;
    }
  _hv_key_reader_error (reader, group, key, error, _ ("%s “%s” is neither “true” nor “false”"), key,
                        text);
  return FALSE;
}

char *
_hv_read_file (const char *filename, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  char *data = NULL;

  if (g_file_get_contents (filename, &data, NULL, &local_error))
    return data;
  g_set_error (error, HV_ERROR,
               g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT) ? HV_ERROR_NOT_FOUND
                                                                               : HV_ERROR_FAILED,
               _ ("Could not read %s: %s"), filename, local_error->message);
  return NULL;
}

gboolean
_hv_write_file (const char *filename, const char *data, GError **error)
{
  g_autoptr (GError) local_error = NULL;

  /* GLib writes a temporary file beside FILENAME and renames it over. */
  if (g_file_set_contents_full (filename, data, -1,
                                G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE, 0600,
                                &local_error))
    return TRUE;
  g_set_error (error, HV_ERROR, HV_ERROR_FAILED, _ ("Could not write %s: %s"), filename,
               local_error->message);
  return FALSE;
}
