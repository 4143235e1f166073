/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer target: hv-json.c's parser, fed the lines a hostile client of a
 * control socket could send, and its writer. AddressSanitizer catches any
 * access outside the input; the checks below catch a writer and a parser
 * that disagree: whatever parses is written as JSON that parses back to the
 * same value, and a copy writes the same text.
 */
#include <glib.h>
#include <stdint.h>
#include <string.h>

#include "hv-json.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HvJson) value = hv_json_parse ((const char *) data, size, &error);
  g_autoptr (HvJson) copy = NULL;
  g_autoptr (HvJson) again = NULL;
  g_autofree char *text = NULL;
  g_autofree char *copied = NULL;
  g_autofree char *rewritten = NULL;

  if (value == NULL)
    {
      g_assert_true (error != NULL && error->domain == HV_JSON_ERROR);
      return 0;
    }
  g_assert_no_error (error);
  text = hv_json_to_string (value);
  copy = hv_json_copy (value);
  copied = hv_json_to_string (copy);
  g_assert_cmpstr (copied, ==, text);
  /* Escapes may make the text longer than the input, beyond the limit. */
  if (strlen (text) > HV_JSON_MAX_LENGTH)
    return 0;
  again = hv_json_parse (text, strlen (text), &error);
  g_assert_no_error (error);
  rewritten = hv_json_to_string (again);
  g_assert_cmpstr (rewritten, ==, text);
  return 0;
}
