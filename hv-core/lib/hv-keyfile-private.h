/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Reading machine.conf and networks/<name>.conf with errors that name the
 * file and the line, which GKeyFile alone does not give. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  GKeyFile *key_file;
  const char *data;     /* the text it was read from */
  const char *filename; /* for errors */
} HvKeyReader;

/* Checks every line's form, then reads DATA into READER->key_file. */
gboolean _hv_key_reader_init (HvKeyReader *reader, const char *data, const char *filename,
                              GError **error);
void _hv_key_reader_clear (HvKeyReader *reader);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (HvKeyReader, _hv_key_reader_clear)

/* Sets ERROR to "FILENAME, line N: MESSAGE", N being KEY's line in GROUP
 * (or GROUP's own line when KEY is NULL). */
void _hv_key_reader_error (const HvKeyReader *reader, const char *group, const char *key,
                           GError **error, const char *format, ...) G_GNUC_PRINTF (5, 6);

/* NULL when absent (and not REQUIRED: then FALSE and ERROR). */
gboolean _hv_key_reader_string (const HvKeyReader *reader, const char *group, const char *key,
                                gboolean required, char **out, GError **error);
/* Unchanged *OUT when absent. */
gboolean _hv_key_reader_uint (const HvKeyReader *reader, const char *group, const char *key,
                              guint min, guint max, guint *out, GError **error);
gboolean _hv_key_reader_boolean (const HvKeyReader *reader, const char *group, const char *key,
                                 gboolean *out, GError **error);

/* FILENAME's text; HV_ERROR_NOT_FOUND where it does not exist. */
char *_hv_read_file (const char *filename, GError **error);
/* Writes DATA to FILENAME atomically with mode 0600. */
gboolean _hv_write_file (const char *filename, const char *data, GError **error);

G_END_DECLS
