/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "hv-json.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

typedef struct
{
  char *name;
  HvJson *value;
} HvJsonMember;

struct hv_json
{
  HvJsonType type;
  union
  {
    gboolean boolean;
    gint64 integer;
    double number;
    char *string;
    GPtrArray *elements; /* HvJson, owned */
    GArray *members;     /* HvJsonMember, owned */
  };
};

G_DEFINE_QUARK (hv - json - error - quark, hv_json_error)

/* ---- values ---- */

static HvJson *
value_new (HvJsonType type)
{
  HvJson *value = g_new0 (HvJson, 1);

  value->type = type;
  return value;
}

HvJson *
hv_json_new_null (void)
{
  return value_new (HV_JSON_NULL);
}

HvJson *
hv_json_new_boolean (gboolean boolean)
{
  HvJson *value = value_new (HV_JSON_BOOLEAN);

  value->boolean = !!boolean;
  return value;
}

HvJson *
hv_json_new_integer (gint64 integer)
{
  HvJson *value = value_new (HV_JSON_INTEGER);

  value->integer = integer;
  return value;
}

HvJson *
hv_json_new_double (double number)
{
  HvJson *value;

  g_return_val_if_fail (isfinite (number), NULL);

  value = value_new (HV_JSON_DOUBLE);
  value->number = number;
  return value;
}

/* Takes STRING, which must be UTF-8. */
static HvJson *
string_new_take (char *string)
{
  HvJson *value = value_new (HV_JSON_STRING);

  value->string = string;
  return value;
}

static char *
utf8_dup (const char *string)
{
  return g_utf8_validate (string, -1, NULL) ? g_strdup (string) : g_utf8_make_valid (string, -1);
}

HvJson *
hv_json_new_string (const char *string)
{
  g_return_val_if_fail (string != NULL, NULL);

  return string_new_take (utf8_dup (string));
}

HvJson *
hv_json_new_array (void)
{
  HvJson *value = value_new (HV_JSON_ARRAY);

  value->elements = g_ptr_array_new_with_free_func ((GDestroyNotify) hv_json_free);
  return value;
}

static void
member_clear (HvJsonMember *member)
{
  g_free (member->name);
  hv_json_free (member->value);
}

HvJson *
hv_json_new_object (void)
{
  HvJson *value = value_new (HV_JSON_OBJECT);

  value->members = g_array_new (FALSE, FALSE, sizeof (HvJsonMember));
  g_array_set_clear_func (value->members, (GDestroyNotify) member_clear);
  return value;
}

void
hv_json_free (HvJson *value)
{
  if (value == NULL)
    return;
  if (value->type == HV_JSON_STRING)
    g_free (value->string);
  else if (value->type == HV_JSON_ARRAY)
    g_ptr_array_unref (value->elements);
  else if (value->type == HV_JSON_OBJECT)
    g_array_unref (value->members);
  g_free (value);
}

HvJson *
hv_json_copy (const HvJson *value)
{
  HvJson *copy;

  g_return_val_if_fail (value != NULL, NULL);

  switch (value->type)
    {
      case HV_JSON_STRING:
        return string_new_take (g_strdup (value->string));
      case HV_JSON_ARRAY:
        copy = hv_json_new_array ();
        for (guint i = 0; i < value->elements->len; i++)
          hv_json_array_add (copy, hv_json_copy (g_ptr_array_index (value->elements, i)));
        return copy;
      case HV_JSON_OBJECT:
        copy = hv_json_new_object ();
        for (guint i = 0; i < value->members->len; i++)
          {
            const HvJsonMember *member = &g_array_index (value->members, HvJsonMember, i);

            hv_json_object_add (copy, member->name, hv_json_copy (member->value));
          }
        return copy;
      case HV_JSON_NULL:
      case HV_JSON_BOOLEAN:
      case HV_JSON_INTEGER:
      case HV_JSON_DOUBLE:
      default:
        return g_memdup2 (value, sizeof *value);
    }
}

HvJsonType
hv_json_get_type (const HvJson *value)
{
  g_return_val_if_fail (value != NULL, HV_JSON_NULL);

  return value->type;
}

gboolean
hv_json_get_boolean (const HvJson *value)
{
  g_return_val_if_fail (value != NULL && value->type == HV_JSON_BOOLEAN, FALSE);

  return value->boolean;
}

gint64
hv_json_get_integer (const HvJson *value)
{
  g_return_val_if_fail (value != NULL && value->type == HV_JSON_INTEGER, 0);

  return value->integer;
}

double
hv_json_get_double (const HvJson *value)
{
  g_return_val_if_fail (value != NULL && value->type == HV_JSON_DOUBLE, 0);

  return value->number;
}

const char *
hv_json_get_string (const HvJson *value)
{
  return value != NULL && value->type == HV_JSON_STRING ? value->string : NULL;
}

guint
hv_json_array_get_length (const HvJson *array)
{
  g_return_val_if_fail (array != NULL && array->type == HV_JSON_ARRAY, 0);

  return array->elements->len;
}

HvJson *
hv_json_array_get (const HvJson *array, guint index)
{
  g_return_val_if_fail (array != NULL && array->type == HV_JSON_ARRAY, NULL);
  g_return_val_if_fail (index < array->elements->len, NULL);

  return g_ptr_array_index (array->elements, index);
}

void
hv_json_array_add (HvJson *array, HvJson *value)
{
  g_return_if_fail (array != NULL && array->type == HV_JSON_ARRAY);
  g_return_if_fail (value != NULL);

  g_ptr_array_add (array->elements, value);
}

HvJson *
hv_json_object_get (const HvJson *object, const char *name)
{
  g_return_val_if_fail (object != NULL && object->type == HV_JSON_OBJECT, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = object->members->len; i-- > 0;)
    {
      const HvJsonMember *member = &g_array_index (object->members, HvJsonMember, i);

      if (g_str_equal (member->name, name))
        return member->value;
    }
  return NULL;
}

/* Takes NAME, which must be UTF-8, and VALUE. */
static void
object_add_take (HvJson *object, char *name, HvJson *value)
{
  HvJsonMember member = { name, value };

  g_array_append_val (object->members, member);
}

void
hv_json_object_add (HvJson *object, const char *name, HvJson *value)
{
  g_return_if_fail (object != NULL && object->type == HV_JSON_OBJECT);
  g_return_if_fail (name != NULL);
  g_return_if_fail (value != NULL);

  object_add_take (object, utf8_dup (name), value);
}

void
hv_json_object_add_boolean (HvJson *object, const char *name, gboolean value)
{
  hv_json_object_add (object, name, hv_json_new_boolean (value));
}

void
hv_json_object_add_integer (HvJson *object, const char *name, gint64 value)
{
  hv_json_object_add (object, name, hv_json_new_integer (value));
}

void
hv_json_object_add_string (HvJson *object, const char *name, const char *value)
{
  hv_json_object_add (object, name, hv_json_new_string (value));
}

/* ---- the parser ---- */

typedef struct
{
  const char *text;
  gsize len;
  gsize pos;
  guint depth;
  GError **error;
} Parser;

static HvJson *parse_value (Parser *p);

/* Says what is wrong and where, counting bytes from 1 as editors count
 * columns. Returns NULL, for the callers to return. */
static gpointer
parse_fail (Parser *p, HvJsonError code, const char *reason)
{
  g_set_error (p->error, HV_JSON_ERROR, code, _ ("%s at byte %u"), reason, (guint) p->pos + 1);
  return NULL;
}

/* The next byte, or -1 at the end: the text may hold NUL bytes. */
static int
peek (const Parser *p)
{
  return p->pos < p->len ? (guchar) p->text[p->pos] : -1;
}

static gpointer
fail_unexpected (Parser *p)
{
  if (peek (p) < 0)
    return parse_fail (p, HV_JSON_ERROR_SYNTAX, _ ("The text ends inside a JSON value"));
  return parse_fail (p, HV_JSON_ERROR_SYNTAX, _ ("Unexpected character"));
}

static void
skip_space (Parser *p)
{
  while (peek (p) == ' ' || peek (p) == '\t' || peek (p) == '\n' || peek (p) == '\r')
    p->pos++;
}

static gboolean
accept (Parser *p, char c)
{
  if (peek (p) != c)
    return FALSE;
  p->pos++;
  return TRUE;
}

static HvJson *
parse_literal (Parser *p, const char *word, HvJson *value)
{
  for (const char *c = word; *c != '\0'; c++)
    if (!accept (p, *c))
      {
        hv_json_free (value);
        return fail_unexpected (p);
      }
  return value;
}

static void
skip_digits (Parser *p)
{
  while (g_ascii_isdigit (peek (p)))
    p->pos++;
}

/* At least one digit, or a syntax error. */
static gboolean
expect_digits (Parser *p)
{
  if (!g_ascii_isdigit (peek (p)))
    {
      fail_unexpected (p);
      return FALSE;
    }
  skip_digits (p);
  return TRUE;
}

/* RFC 8259's grammar, checked here: strtoll and strtod take more (hex,
 * "inf", leading zeros, "+"). */
static gboolean
scan_number (Parser *p, gboolean *is_integer)
{
  accept (p, '-');
  if (!accept (p, '0') && !expect_digits (p))
    return FALSE;
  *is_integer = TRUE;
  if (accept (p, '.'))
    {
      *is_integer = FALSE;
      if (!expect_digits (p))
        return FALSE;
    }
  if (accept (p, 'e') || accept (p, 'E'))
    {
      *is_integer = FALSE;
      if (!accept (p, '+'))
        accept (p, '-');
      if (!expect_digits (p))
        return FALSE;
    }
  return TRUE;
}

static HvJson *
parse_number (Parser *p)
{
  gsize start = p->pos;
  g_autofree char *digits = NULL;
  gboolean is_integer;
  gint64 integer = 0;
  double number = 0;

  if (!scan_number (p, &is_integer))
    return NULL;
  digits = g_strndup (p->text + start, p->pos - start);
  errno = 0;
  if (is_integer)
    integer = g_ascii_strtoll (digits, NULL, 10);
  else
    number = g_ascii_strtod (digits, NULL);
  /* Too large is refused; too small for a double (1e-400) is just 0. */
  if ((is_integer && errno == ERANGE) || (!is_integer && !isfinite (number)))
    {
      p->pos = start;
      return parse_fail (p, HV_JSON_ERROR_RANGE, _ ("The number is out of range"));
    }
  return is_integer ? hv_json_new_integer (integer) : hv_json_new_double (number);
}

/* The four hex digits of a \u escape, or -1. */
static int
parse_hex4 (Parser *p)
{
  int code = 0;

  for (int i = 0; i < 4; i++)
    {
      int digit = g_ascii_xdigit_value (peek (p));

      if (digit < 0)
        return -1;
      code = code << 4 | digit;
      p->pos++;
    }
  return code;
}

/* An error about the escape that starts at byte START. */
static void
fail_escape (Parser *p, gsize start, HvJsonError code, const char *reason)
{
  if (peek (p) < 0)
    {
      fail_unexpected (p);
      return;
    }
  p->pos = start;
  parse_fail (p, code, reason);
}

/* After "\u": one code point, from two escapes where it is a surrogate
 * pair; 0 after an error (\u0000 is one). */
static gunichar
parse_unicode_escape (Parser *p)
{
  gsize start = p->pos - 2;
  int high = parse_hex4 (p);
  int low = -1;

  if (high < 0)
    fail_escape (p, start, HV_JSON_ERROR_SYNTAX, _ ("Invalid escape in a string"));
  else if (high == 0)
    {
      p->pos = start;
      parse_fail (p, HV_JSON_ERROR_ENCODING, _ ("Strings cannot contain NUL (\\u0000)"));
    }
  else if (high < 0xd800 || high > 0xdfff)
    return high;
  else
    {
      if (high <= 0xdbff && accept (p, '\\') && accept (p, 'u'))
        low = parse_hex4 (p);
      if (low >= 0xdc00 && low <= 0xdfff)
        return 0x10000 + ((high - 0xd800) << 10) + (low - 0xdc00);
      p->pos = start;
      parse_fail (p, HV_JSON_ERROR_ENCODING, _ ("A UTF-16 surrogate without its pair"));
    }
  return 0;
}

/* The byte that a one-letter escape stands for, or -1. */
static int
short_escape_value (int letter)
{
  switch (letter)
    {
      case '"':
      case '\\':
      case '/':
        return letter;
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      default:
        return -1;
    }
}

/* After a backslash: appends what the escape stands for to OUT. */
static gboolean
parse_escape (Parser *p, GString *out)
{
  int byte = short_escape_value (peek (p));
  gunichar code;

  if (accept (p, 'u'))
    {
      code = parse_unicode_escape (p);
      if (code == 0)
        return FALSE;
      g_string_append_unichar (out, code);
      return TRUE;
    }
  if (byte < 0)
    {
      fail_escape (p, p->pos - 1, HV_JSON_ERROR_SYNTAX, _ ("Invalid escape in a string"));
      return FALSE;
    }
  g_string_append_c (out, byte);
  p->pos++;
  return TRUE;
}

/* After the opening quote. The whole text is known to be UTF-8 already. */
static char *
parse_string_text (Parser *p)
{
  g_autoptr (GString) out = g_string_new (NULL);
  int c;

  while ((c = peek (p)) != '"')
    {
      if (c < 0)
        return fail_unexpected (p);
      if (c < 0x20)
        return parse_fail (p, HV_JSON_ERROR_SYNTAX,
                           _ ("A control character must be escaped in a string"));
      p->pos++;
      if (c != '\\')
        g_string_append_c (out, c);
      else if (!parse_escape (p, out))
        return NULL;
    }
  p->pos++;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static HvJson *
parse_string (Parser *p)
{
  char *text = parse_string_text (p);

  return text != NULL ? string_new_take (text) : NULL;
}

/* Counts one level more of arrays and objects, within the limit. */
static gboolean
enter (Parser *p)
{
  if (++p->depth <= HV_JSON_MAX_DEPTH)
    return TRUE;
  parse_fail (p, HV_JSON_ERROR_LIMIT, _ ("Arrays and objects are nested too deeply"));
  return FALSE;
}

/* After the opening bracket. */
static HvJson *
parse_array (Parser *p)
{
  g_autoptr (HvJson) array = hv_json_new_array ();

  skip_space (p);
  if (accept (p, ']'))
    return g_steal_pointer (&array);
  do
    {
      HvJson *element = parse_value (p);

      if (element == NULL)
        return NULL;
      hv_json_array_add (array, element);
      skip_space (p);
    }
  while (accept (p, ','));
  if (!accept (p, ']'))
    return fail_unexpected (p);
  return g_steal_pointer (&array);
}

/* A member's name and colon, or NULL. */
static char *
parse_member_name (Parser *p)
{
  char *name;

  skip_space (p);
  if (!accept (p, '"'))
    return fail_unexpected (p);
  name = parse_string_text (p);
  if (name == NULL)
    return NULL;
  skip_space (p);
  if (!accept (p, ':'))
    {
      g_free (name);
      return fail_unexpected (p);
    }
  return name;
}

/* After the opening brace. */
static HvJson *
parse_object (Parser *p)
{
  g_autoptr (HvJson) object = hv_json_new_object ();

  skip_space (p);
  if (accept (p, '}'))
    return g_steal_pointer (&object);
  do
    {
      g_autofree char *name = parse_member_name (p);
      HvJson *value = name != NULL ? parse_value (p) : NULL;

      if (value == NULL)
        return NULL;
      object_add_take (object, g_steal_pointer (&name), value);
      skip_space (p);
    }
  while (accept (p, ','));
  if (!accept (p, '}'))
    return fail_unexpected (p);
  return g_steal_pointer (&object);
}

static HvJson *
parse_container (Parser *p, HvJson *(*parse_rest) (Parser *p))
{
  HvJson *value;

  if (!enter (p))
    return NULL;
  p->pos++;
  value = parse_rest (p);
  p->depth--;
  return value;
}

static HvJson *
parse_value (Parser *p)
{
  skip_space (p);
  switch (peek (p))
    {
      case '{':
        return parse_container (p, parse_object);
      case '[':
        return parse_container (p, parse_array);
      case '"':
        p->pos++;
        return parse_string (p);
      case 't':
        return parse_literal (p, "true", hv_json_new_boolean (TRUE));
      case 'f':
        return parse_literal (p, "false", hv_json_new_boolean (FALSE));
      case 'n':
        return parse_literal (p, "null", hv_json_new_null ());
      default:
        if (peek (p) == '-' || g_ascii_isdigit (peek (p)))
          return parse_number (p);
        return fail_unexpected (p);
    }
}

HvJson *
hv_json_parse (const char *text, gsize len, GError **error)
{
  Parser p = { text, len, 0, 0, error };
  const char *end;
  g_autoptr (HvJson) value = NULL;

  g_return_val_if_fail (text != NULL || len == 0, NULL);

  if (len > HV_JSON_MAX_LENGTH)
    {
      g_set_error (error, HV_JSON_ERROR, HV_JSON_ERROR_LIMIT,
                   _ ("The JSON text is longer than %u bytes"), (guint) HV_JSON_MAX_LENGTH);
      return NULL;
    }
  /* Once for all: strings can then be copied byte by byte. NUL bytes fail
   * here too. */
  if (!g_utf8_validate_len (text, len, &end))
    {
      p.pos = end - text;
      return parse_fail (&p, HV_JSON_ERROR_ENCODING, _ ("The text is not valid UTF-8"));
    }
  value = parse_value (&p);
  if (value == NULL)
    return NULL;
  skip_space (&p);
  if (p.pos < p.len)
    return parse_fail (&p, HV_JSON_ERROR_SYNTAX, _ ("Unexpected text after the JSON value"));
  return g_steal_pointer (&value);
}

/* ---- the writer ---- */

static void write_value (GString *out, const HvJson *value);

/* The letter of the short escape for BYTE, or 0. */
static char
short_escape_letter (guchar byte)
{
  switch (byte)
    {
      case '"':
      case '\\':
        return byte;
      case '\b':
        return 'b';
      case '\f':
        return 'f';
      case '\n':
        return 'n';
      case '\r':
        return 'r';
      case '\t':
        return 't';
      default:
        return 0;
    }
}

/* Escapes what RFC 8259 requires, and DEL, as json-glib did. (json-glib
 * left U+001F as it was, which is not JSON: it is escaped here.) */
static void
write_string (GString *out, const char *string)
{
  g_string_append_c (out, '"');
  for (const guchar *c = (const guchar *) string; *c != '\0'; c++)
    {
      char letter = short_escape_letter (*c);

      if (letter != 0)
        g_string_append_printf (out, "\\%c", letter);
      else if (*c < 0x20 || *c == 0x7f)
        g_string_append_printf (out, "\\u%04x", *c);
      else
        g_string_append_c (out, *c);
    }
  g_string_append_c (out, '"');
}

/* 17 significant digits, which read back as the same double; ".0" keeps
 * 1.0 a double for the next reader, as json-glib wrote it. (json-glib also added
 * ".0" after exponents, "1e+22.0", which is not JSON: not here.) */
static void
write_double (GString *out, double number)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_dtostr (buf, sizeof buf, number);
  g_string_append (out, buf);
  if (strpbrk (buf, ".e") == NULL)
    g_string_append (out, ".0");
}

static void
write_array (GString *out, const GPtrArray *elements)
{
  g_string_append_c (out, '[');
  for (guint i = 0; i < elements->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      write_value (out, g_ptr_array_index (elements, i));
    }
  g_string_append_c (out, ']');
}

static void
write_object (GString *out, const GArray *members)
{
  g_string_append_c (out, '{');
  for (guint i = 0; i < members->len; i++)
    {
      const HvJsonMember *member = &g_array_index (members, HvJsonMember, i);

      if (i > 0)
        g_string_append_c (out, ',');
      write_string (out, member->name);
      g_string_append_c (out, ':');
      write_value (out, member->value);
    }
  g_string_append_c (out, '}');
}

static void
write_value (GString *out, const HvJson *value)
{
  switch (value->type)
    {
      case HV_JSON_NULL:
        g_string_append (out, "null");
        break;
      case HV_JSON_BOOLEAN:
        g_string_append (out, value->boolean ? "true" : "false");
        break;
      case HV_JSON_INTEGER:
        g_string_append_printf (out, "%" G_GINT64_FORMAT, value->integer);
        break;
      case HV_JSON_DOUBLE:
        write_double (out, value->number);
        break;
      case HV_JSON_STRING:
        write_string (out, value->string);
        break;
      case HV_JSON_ARRAY:
        write_array (out, value->elements);
        break;
      case HV_JSON_OBJECT:
      default:
        write_object (out, value->members);
        break;
    }
}

char *
hv_json_to_string (const HvJson *value)
{
  GString *out;

  g_return_val_if_fail (value != NULL, NULL);

  out = g_string_new (NULL);
  write_value (out, value);
  return g_string_free (out, FALSE);
}
