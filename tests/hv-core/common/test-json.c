/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hv-json.c: what it writes must be what json-glib's generator wrote (the
 * expected texts below are json-glib 1.6's output for the same values), and
 * what it parses must be RFC 8259 and nothing more.
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "hv-json.h"

static HvJson *
parse_ok (const char *text)
{
  g_autoptr (GError) error = NULL;
  HvJson *value = hv_json_parse (text, strlen (text), &error);

  g_assert_no_error (error);
  g_assert_nonnull (value);
  return value;
}

/* TEXT parses, and is written back as EXPECTED; EXPECTED itself parses back
 * to the same text. */
static void
assert_round_trip (const char *text, const char *expected)
{
  g_autoptr (HvJson) value = parse_ok (text);
  g_autoptr (HvJson) copy = hv_json_copy (value);
  g_autofree char *written = hv_json_to_string (value);
  g_autofree char *copied = hv_json_to_string (copy);
  g_autoptr (HvJson) again = parse_ok (written);
  g_autofree char *rewritten = hv_json_to_string (again);

  g_assert_cmpstr (written, ==, expected);
  g_assert_cmpstr (copied, ==, expected);
  g_assert_cmpstr (rewritten, ==, expected);
}

static void
test_round_trip (void)
{
  assert_round_trip ("{\"a\": 1, \"b\": \"x\"}", "{\"a\":1,\"b\":\"x\"}");
  assert_round_trip (" \t\r\n{ } ", "{}");
  assert_round_trip ("[true, false, null, [], {}, [[]]]", "[true,false,null,[],{},[[]]]");
  /* Members stay in their order, nested or not. */
  assert_round_trip ("{\"z\": {\"y\": [1, {\"x\": null}]}, \"a\": 0, \"m\": \"\"}",
                     "{\"z\":{\"y\":[1,{\"x\":null}]},\"a\":0,\"m\":\"\"}");
  assert_round_trip ("[0, -0, 7, -42, 9223372036854775807, -9223372036854775808]",
                     "[0,0,7,-42,9223372036854775807,-9223372036854775808]");
  /* Doubles: 17 digits, and ".0" where there would be no point. */
  assert_round_trip ("[1.5, 1e3, 1.0, -0.0, 0.1, 2.5E-3, 1e-400, 1e22]",
                     "[1.5,1000.0,1.0,-0.0,0.10000000000000001,0.0025000000000000001,0.0,1e+22]");
  /* UTF-8 is written as it is, not escaped. */
  assert_round_trip ("\"é € 😀 \\u00e9\"", "\"é € 😀 é\"");
  /* Any value may be the text, not only an object. */
  assert_round_trip ("\"x\"", "\"x\"");
  assert_round_trip ("-12", "-12");
  assert_round_trip ("null", "null");
}

static void
test_escapes (void)
{
  g_autoptr (HvJson) value =
      parse_ok ("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00e9\\u20AC\\u001f\\u007f\"");
  g_autoptr (HvJson) controls = NULL;
  g_autofree char *written = NULL;
  GString *all = g_string_new (NULL);

  g_assert_cmpint (hv_json_get_type (value), ==, HV_JSON_STRING);
  g_assert_cmpstr (hv_json_get_string (value), ==, "\"\\/\b\f\n\r\tAé€\x1f\x7f");
  /* "/" needs no escape; DEL is escaped as json-glib did. */
  written = hv_json_to_string (value);
  g_assert_cmpstr (written, ==, "\"\\\"\\\\/\\b\\f\\n\\r\\tAé€\\u001f\\u007f\"");

  /* Every control character is escaped: short forms where JSON has them. */
  for (int c = 1; c < 0x20; c++)
    g_string_append_c (all, c);
  controls = hv_json_new_string (all->str);
  g_string_free (all, TRUE);
  g_clear_pointer (&written, g_free);
  written = hv_json_to_string (controls);
  g_assert_cmpstr (written, ==,
                   "\"\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r"
                   "\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017"
                   "\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f\"");
}

static void
test_surrogates (void)
{
  g_autoptr (HvJson) emoji = parse_ok ("\"\\ud83d\\ude00\"");
  g_autoptr (HvJson) clef = parse_ok ("\"a\\uD834\\uDD1Eb\"");
  g_autoptr (HvJson) last = parse_ok ("\"\\udbff\\udfff\"");

  g_assert_cmpstr (hv_json_get_string (emoji), ==, "\xf0\x9f\x98\x80");
  g_assert_cmpstr (hv_json_get_string (clef), ==,
                   "a\xf0\x9d\x84\x9e"
                   "b");
  g_assert_cmpstr (hv_json_get_string (last), ==, "\xf4\x8f\xbf\xbf");
}

static const struct
{
  const char *text;
  gsize len; /* 0: strlen (text) */
  HvJsonError code;
} bad_inputs[] = {
  /* cut short */
  { "", 0, HV_JSON_ERROR_SYNTAX },
  { "   ", 0, HV_JSON_ERROR_SYNTAX },
  { "{\"execute\": ", 0, HV_JSON_ERROR_SYNTAX },
  { "{\"a\"", 0, HV_JSON_ERROR_SYNTAX },
  { "[1, 2", 0, HV_JSON_ERROR_SYNTAX },
  { "\"abc", 0, HV_JSON_ERROR_SYNTAX },
  { "\"abc\\", 0, HV_JSON_ERROR_SYNTAX },
  { "\"\\u12", 0, HV_JSON_ERROR_SYNTAX },
  { "tru", 0, HV_JSON_ERROR_SYNTAX },
  { "-", 0, HV_JSON_ERROR_SYNTAX },
  { "1.", 0, HV_JSON_ERROR_SYNTAX },
  { "1e", 0, HV_JSON_ERROR_SYNTAX },
  /* bad escapes */
  { "\"\\x41\"", 0, HV_JSON_ERROR_SYNTAX },
  { "\"\\U0041\"", 0, HV_JSON_ERROR_SYNTAX },
  { "\"\\u12g4\"", 0, HV_JSON_ERROR_SYNTAX },
  { "\"\\'\"", 0, HV_JSON_ERROR_SYNTAX },
  /* lone surrogates, and NUL, which C strings cannot hold */
  { "\"\\ud800\"", 0, HV_JSON_ERROR_ENCODING },
  { "\"\\udc00\"", 0, HV_JSON_ERROR_ENCODING },
  { "\"\\ud800\\u0041\"", 0, HV_JSON_ERROR_ENCODING },
  { "\"\\ud800\\ud800\"", 0, HV_JSON_ERROR_ENCODING },
  { "\"\\ud800x\"", 0, HV_JSON_ERROR_ENCODING },
  { "\"\\u0000\"", 0, HV_JSON_ERROR_ENCODING },
  /* invalid UTF-8: a stray byte, a cut sequence, an overlong form, an
   * encoded surrogate, a raw NUL */
  { "\"\xff\"", 0, HV_JSON_ERROR_ENCODING },
  { "\xff\xfe{}", 0, HV_JSON_ERROR_ENCODING },
  { "\"\xc3\"", 0, HV_JSON_ERROR_ENCODING },
  { "\"\xc0\xaf\"", 0, HV_JSON_ERROR_ENCODING },
  { "\"\xed\xa0\x80\"", 0, HV_JSON_ERROR_ENCODING },
  { "\"a\0b\"", 5, HV_JSON_ERROR_ENCODING },
  /* unescaped control characters */
  { "\"a\tb\"", 0, HV_JSON_ERROR_SYNTAX },
  { "\"\x01\"", 0, HV_JSON_ERROR_SYNTAX },
  { "\"\x1f\"", 0, HV_JSON_ERROR_SYNTAX },
  /* text after the value */
  { "{} x", 0, HV_JSON_ERROR_SYNTAX },
  { "{}}", 0, HV_JSON_ERROR_SYNTAX },
  { "1 2", 0, HV_JSON_ERROR_SYNTAX },
  { "{}\n{}", 0, HV_JSON_ERROR_SYNTAX },
  /* what lenient parsers (json-glib among them) take */
  { "01", 0, HV_JSON_ERROR_SYNTAX },
  { "+1", 0, HV_JSON_ERROR_SYNTAX },
  { ".5", 0, HV_JSON_ERROR_SYNTAX },
  { "0x10", 0, HV_JSON_ERROR_SYNTAX },
  { "NaN", 0, HV_JSON_ERROR_SYNTAX },
  { "-Infinity", 0, HV_JSON_ERROR_SYNTAX },
  { "{'a': 1}", 0, HV_JSON_ERROR_SYNTAX },
  { "{a: 1}", 0, HV_JSON_ERROR_SYNTAX },
  { "[1, ]", 0, HV_JSON_ERROR_SYNTAX },
  { "{\"a\": 1, }", 0, HV_JSON_ERROR_SYNTAX },
  { "{\"a\" 1}", 0, HV_JSON_ERROR_SYNTAX },
  { "[1 2]", 0, HV_JSON_ERROR_SYNTAX },
  { "/* */ {}", 0, HV_JSON_ERROR_SYNTAX },
  { "\v{}", 0, HV_JSON_ERROR_SYNTAX },
  /* numbers out of range */
  { "9223372036854775808", 0, HV_JSON_ERROR_RANGE },
  { "-9223372036854775809", 0, HV_JSON_ERROR_RANGE },
  { "[99999999999999999999]", 0, HV_JSON_ERROR_RANGE },
  { "1e400", 0, HV_JSON_ERROR_RANGE },
  { "-1.5e999", 0, HV_JSON_ERROR_RANGE },
};

static void
test_bad (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (bad_inputs); i++)
    {
      const char *text = bad_inputs[i].text;
      gsize len = bad_inputs[i].len ? bad_inputs[i].len : strlen (text);
      g_autoptr (GError) error = NULL;
      g_autoptr (HvJson) value = hv_json_parse (text, len, &error);
      g_autofree char *escaped = g_strescape (text, NULL);

      g_test_message ("%s: %s", escaped, error ? error->message : "accepted");
      g_assert_null (value);
      g_assert_error (error, HV_JSON_ERROR, bad_inputs[i].code);
    }
}

/* The message says what and where, counting bytes from 1. */
static void
test_messages (void)
{
  static const char *const expected[][2] = {
    { "{\"a\": x}", "Unexpected character at byte 7" },
    { "{\"a\": ", "The text ends inside a JSON value at byte 7" },
    { "\"\\q\"", "Invalid escape in a string at byte 2" },
    { "[\"\\ud800\"]", "A UTF-16 surrogate without its pair at byte 3" },
    { "[1] 2", "Unexpected text after the JSON value at byte 5" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr (GError) error = NULL;

      g_assert_null (hv_json_parse (expected[i][0], strlen (expected[i][0]), &error));
      g_assert_nonnull (error);
      g_assert_cmpstr (error->message, ==, expected[i][1]);
    }
}

static char *
nested (guint depth)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < depth; i++)
    g_string_append (text, i % 2 ? "{\"a\":" : "[");
  g_string_append_c (text, '0');
  for (guint i = depth; i-- > 0;)
    g_string_append_c (text, i % 2 ? '}' : ']');
  return g_string_free (text, FALSE);
}

static void
test_limits (void)
{
  g_autofree char *deepest = nested (HV_JSON_MAX_DEPTH);
  g_autofree char *too_deep = nested (HV_JSON_MAX_DEPTH + 1);
  g_autofree char *far_too_deep = g_strnfill (HV_JSON_MAX_LENGTH, '[');
  g_autofree char *too_long = g_strnfill (HV_JSON_MAX_LENGTH + 1, ' ');
  g_autofree char *longest = g_strnfill (HV_JSON_MAX_LENGTH, ' ');
  g_autoptr (HvJson) value = parse_ok (deepest);
  g_autoptr (GError) error = NULL;

  g_assert_null (hv_json_parse (too_deep, strlen (too_deep), &error));
  g_assert_error (error, HV_JSON_ERROR, HV_JSON_ERROR_LIMIT);
  g_clear_error (&error);
  g_assert_null (hv_json_parse (far_too_deep, strlen (far_too_deep), &error));
  g_assert_error (error, HV_JSON_ERROR, HV_JSON_ERROR_LIMIT);
  g_clear_error (&error);

  /* Up to the limit, only the content matters; beyond, nothing is read. */
  longest[0] = '1';
  g_clear_pointer (&value, hv_json_free);
  value = hv_json_parse (longest, HV_JSON_MAX_LENGTH, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hv_json_get_integer (value), ==, 1);
  too_long[0] = '1';
  g_assert_null (hv_json_parse (too_long, HV_JSON_MAX_LENGTH + 1, &error));
  g_assert_error (error, HV_JSON_ERROR, HV_JSON_ERROR_LIMIT);
}

/* What control.c builds, as json-glib wrote it. */
static void
test_build (void)
{
  g_autoptr (HvJson) reply = hv_json_new_object ();
  g_autoptr (HvJson) request = parse_ok ("{\"execute\": \"quit\", \"id\": {\"n\": [1, \"x\"]}, "
                                         "\"execute\": \"query-status\"}");
  HvJson *result = hv_json_new_object ();
  HvJson *disks = hv_json_new_array ();
  HvJson *disk = hv_json_new_object ();
  g_autofree char *text = NULL;

  hv_json_object_add_string (disk, "path", "/images/d\xe9mo.img");
  hv_json_object_add_boolean (disk, "readonly", FALSE);
  hv_json_object_add_integer (disk, "size", G_GINT64_CONSTANT (1) << 40);
  hv_json_array_add (disks, disk);
  hv_json_object_add (result, "disks", disks);
  hv_json_object_add (result, "ratio", hv_json_new_double (0.5));
  hv_json_object_add (reply, "return", result);
  hv_json_object_add (reply, "id", hv_json_copy (hv_json_object_get (request, "id")));
  text = hv_json_to_string (reply);
  /* A file name that is not UTF-8 still makes JSON. */
  g_assert_cmpstr (text, ==,
                   "{\"return\":{\"disks\":[{\"path\":\"/images/d\xef\xbf\xbdmo.img\","
                   "\"readonly\":false,\"size\":1099511627776}],\"ratio\":0.5},"
                   "\"id\":{\"n\":[1,\"x\"]}}");

  /* A duplicate member: the last one counts. */
  g_assert_cmpstr (hv_json_get_string (hv_json_object_get (request, "execute")), ==,
                   "query-status");
  g_assert_null (hv_json_object_get (request, "arguments"));
  g_assert_null (hv_json_get_string (hv_json_object_get (request, "id")));
  g_assert_null (hv_json_get_string (NULL));
  g_assert_cmpuint (
      hv_json_array_get_length (hv_json_object_get (hv_json_object_get (request, "id"), "n")), ==,
      2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/hv-core/json/round-trip", test_round_trip);
  g_test_add_func ("/hv-core/json/escapes", test_escapes);
  g_test_add_func ("/hv-core/json/surrogates", test_surrogates);
  g_test_add_func ("/hv-core/json/bad", test_bad);
  g_test_add_func ("/hv-core/json/messages", test_messages);
  g_test_add_func ("/hv-core/json/limits", test_limits);
  g_test_add_func ("/hv-core/json/build", test_build);
  return g_test_run ();
}
