/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * JSON values for the JSON-lines control sockets
 * (hv-core/docs/control-protocol.md), with GLib alone: json-glib brings GIO
 * and GObject, which cost every hv-vmm about 1.7 MiB of memory and 0.9 ms of
 * its start.
 *
 * The parser is strict RFC 8259, for one line from a client that may be
 * hostile: bounded length and nesting, valid UTF-8 only. Strings are C
 * strings, so "\u0000" is refused. The writer is compact and writes what
 * json-glib's generator wrote: {"a":1,"b":"x"}.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The longest text hv_json_parse () takes: the protocols' line limit. */
#define HV_JSON_MAX_LENGTH (64 * 1024)
/* The deepest nesting of arrays and objects it takes: it recurses. */
#define HV_JSON_MAX_DEPTH 64

typedef enum
{
  HV_JSON_NULL,
  HV_JSON_BOOLEAN,
  HV_JSON_INTEGER, /* a number without fraction or exponent */
  HV_JSON_DOUBLE,
  HV_JSON_STRING,
  HV_JSON_ARRAY,
  HV_JSON_OBJECT, /* members in the order they were added */
} HvJsonType;

typedef struct hv_json HvJson;

#define HV_JSON_ERROR (hv_json_error_quark ())
GQuark hv_json_error_quark (void);

typedef enum
{
  HV_JSON_ERROR_SYNTAX,   /* not JSON: cut short, a bad escape, text after the value ... */
  HV_JSON_ERROR_ENCODING, /* not UTF-8, a lone surrogate, NUL in a string */
  HV_JSON_ERROR_RANGE,    /* a number beyond gint64, or beyond double */
  HV_JSON_ERROR_LIMIT,    /* longer than HV_JSON_MAX_LENGTH, deeper than HV_JSON_MAX_DEPTH */
} HvJsonError;

HvJson *hv_json_new_null (void);
HvJson *hv_json_new_boolean (gboolean value);
HvJson *hv_json_new_integer (gint64 value);
/* VALUE must be finite: JSON has no infinities. */
HvJson *hv_json_new_double (double value);
/* Bytes of VALUE that are not UTF-8 (a file name's, say) become U+FFFD: what
 * is written must stay JSON. */
HvJson *hv_json_new_string (const char *value);
HvJson *hv_json_new_array (void);
HvJson *hv_json_new_object (void);
HvJson *hv_json_copy (const HvJson *value);
void hv_json_free (HvJson *value);

HvJsonType hv_json_get_type (const HvJson *value);
gboolean hv_json_get_boolean (const HvJson *value);
gint64 hv_json_get_integer (const HvJson *value);
double hv_json_get_double (const HvJson *value);
/* NULL unless VALUE is a string; VALUE may be NULL, as a missing member is. */
const char *hv_json_get_string (const HvJson *value);

guint hv_json_array_get_length (const HvJson *array);
HvJson *hv_json_array_get (const HvJson *array, guint index);
/* Takes VALUE. */
void hv_json_array_add (HvJson *array, HvJson *value);

/* The last member named NAME, or NULL. Names are not checked for duplicates
 * when added: the last one wins, as it did with json-glib. */
HvJson *hv_json_object_get (const HvJson *object, const char *name);
/* Each appends a member; hv_json_object_add () takes VALUE. */
void hv_json_object_add (HvJson *object, const char *name, HvJson *value);
void hv_json_object_add_boolean (HvJson *object, const char *name, gboolean value);
void hv_json_object_add_integer (HvJson *object, const char *name, gint64 value);
void hv_json_object_add_string (HvJson *object, const char *name, const char *value);

/* Parses exactly one JSON value, with optional white space around it, from
 * the LEN bytes at TEXT (no NUL needed). NULL with an HV_JSON_ERROR that
 * says what is wrong and at which byte. */
HvJson *hv_json_parse (const char *text, gsize len, GError **error);
/* Compact JSON text, no newline. */
char *hv_json_to_string (const HvJson *value);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HvJson, hv_json_free)

G_END_DECLS
