/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "display-control.h"

#include <glib/gi18n-lib.h>

#include "dev/i8042.h"
#include "keymap.h"
#include "screendump.h"

struct display_control
{
  Vmm *vmm;
  DisplayServer *display;
};

#define SEND_KEY_MAX     16
#define SCANCODE_RELEASE 0x80
#define SCANCODE_PREFIX  0xe0

static gboolean
bad_argument (GError **error, const char *message)
{
  g_set_error_literal (error, HV_VMM_ERROR, HV_VMM_ERROR_INVALID_ARGUMENT, message);
  return FALSE;
}

static HvJson *
display_control_screendump (const HvJson *arguments, void *user_data, GError **error)
{
  DisplayControl *dc = user_data;
  Framebuffer *fb = vmm_get_framebuffer (dc->vmm);
  const char *filename =
      arguments ? hv_json_get_string (hv_json_object_get (arguments, "filename")) : NULL;

  if (filename == NULL || !g_path_is_absolute (filename))
    {
      bad_argument (error, _ ("screendump needs “filename”: an absolute path for the PNG file"));
      return NULL;
    }
  if (fb == NULL)
    {
      g_set_error_literal (error, HV_VMM_ERROR, HV_VMM_ERROR_INVALID_STATE,
                           _ ("The machine has no display. Start it with --display spice."));
      return NULL;
    }
  if (!screendump_write_png (fb, filename, error))
    return NULL;
  return hv_json_new_object ();
}

static void
send_scancode (I8042 *i8042, unsigned code, gboolean release)
{
  if (code & KEYMAP_EXTENDED)
    i8042_kbd_input (i8042, SCANCODE_PREFIX);
  i8042_kbd_input (i8042, (code & 0x7f) | (release ? SCANCODE_RELEASE : 0));
}

/* Every name must be known before any key is pressed. */
static gboolean
send_key_parse (const HvJson *keys, unsigned *codes, guint *n, GError **error)
{
  *n = hv_json_array_get_length (keys);
  if (*n == 0 || *n > SEND_KEY_MAX)
    return bad_argument (error, _ ("send-key needs between 1 and 16 keys"));
  for (guint i = 0; i < *n; i++)
    {
      const char *key = hv_json_get_string (hv_json_array_get (keys, i));

      codes[i] = key != NULL ? keymap_lookup (key) : 0;
      if (codes[i] == 0)
        return bad_argument (error, _ ("send-key got a key name it does not know"));
    }
  return TRUE;
}

static HvJson *
display_control_send_key (const HvJson *arguments, void *user_data, GError **error)
{
  DisplayControl *dc = user_data;
  const HvJson *keys = arguments ? hv_json_object_get (arguments, "keys") : NULL;
  I8042 *i8042 = vmm_get_i8042 (dc->vmm);
  unsigned codes[SEND_KEY_MAX];
  guint n;

  if (keys == NULL || hv_json_get_type (keys) != HV_JSON_ARRAY)
    {
      bad_argument (error, _ ("send-key needs “keys”: an array of key names"));
      return NULL;
    }
  if (!send_key_parse (keys, codes, &n, error))
    return NULL;
  /* Pressed in order, released in reverse: a chord. */
  for (guint i = 0; i < n; i++)
    send_scancode (i8042, codes[i], FALSE);
  for (guint i = n; i-- > 0;)
    send_scancode (i8042, codes[i], TRUE);
  return hv_json_new_object ();
}

static HvJson *
display_control_query_display (const HvJson *arguments, void *user_data, GError **error)
{
  DisplayControl *dc = user_data;
  DisplayServer *display = dc->display;
  Framebuffer *fb = vmm_get_framebuffer (dc->vmm);
  HvJson *result = hv_json_new_object ();

  hv_json_object_add_boolean (result, "enabled", fb != NULL && display != NULL);
  hv_json_object_add_integer (result, "width", fb ? framebuffer_get_width (fb) : 0);
  hv_json_object_add_integer (result, "height", fb ? framebuffer_get_height (fb) : 0);
  hv_json_object_add_integer (result, "clients",
                              display ? display_server_get_clients (display) : 0);
  if (display != NULL)
    {
      guint64 updates, pixels;

      display_server_get_stats (display, &updates, &pixels);
      hv_json_object_add_integer (result, "updates", updates);
      hv_json_object_add_integer (result, "pixels", pixels);
    }
  return result;
}

DisplayControl *
display_control_new (ControlServer *control, Vmm *vmm, DisplayServer *display)
{
  DisplayControl *dc = g_new0 (DisplayControl, 1);

  dc->vmm = vmm;
  dc->display = display;
  control_server_add_command (control, "screendump", display_control_screendump, dc);
  control_server_add_command (control, "send-key", display_control_send_key, dc);
  control_server_add_command (control, "query-display", display_control_query_display, dc);
  return dc;
}

void
display_control_free (DisplayControl *dc)
{
  g_free (dc);
}
