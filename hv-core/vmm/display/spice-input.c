/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "spice-input.h"

#include <glib/gi18n-lib.h>

#include "vmm.h"

/* i8042 LED bits (scroll, num, caps) in SPICE's order. */
#define I8042_LED_SCROLL 0x01
#define I8042_LED_NUM    0x02
#define I8042_LED_CAPS   0x04

struct display_input
{
  SpiceKbdInstance kbd;
  SpiceMouseInstance mouse;
  I8042 *i8042;
  guint leds_id; /* a pending report of new LEDs to the clients */
  GMutex lock;   /* guards leds_id */
};

static DisplayInput *
input_from_kbd (SpiceKbdInstance *sin)
{
  return (DisplayInput *) ((char *) sin - G_STRUCT_OFFSET (DisplayInput, kbd));
}

static DisplayInput *
input_from_mouse (SpiceMouseInstance *sin)
{
  return (DisplayInput *) ((char *) sin - G_STRUCT_OFFSET (DisplayInput, mouse));
}

static uint8_t
spice_leds (uint8_t leds)
{
  return ((leds & I8042_LED_SCROLL) ? SPICE_KEYBOARD_MODIFIER_FLAGS_SCROLL_LOCK : 0) |
         ((leds & I8042_LED_NUM) ? SPICE_KEYBOARD_MODIFIER_FLAGS_NUM_LOCK : 0) |
         ((leds & I8042_LED_CAPS) ? SPICE_KEYBOARD_MODIFIER_FLAGS_CAPS_LOCK : 0);
}

static void
kbd_push_scan_freg (SpiceKbdInstance *sin, uint8_t frag)
{
  i8042_kbd_input (input_from_kbd (sin)->i8042, frag);
}

static uint8_t
kbd_get_leds (SpiceKbdInstance *sin)
{
  return spice_leds (i8042_get_leds (input_from_kbd (sin)->i8042));
}

static const SpiceKbdInterface display_kbd_interface = {
  .base = {
    .type = SPICE_INTERFACE_KEYBOARD,
    .description = "i8042 keyboard",
    .major_version = SPICE_INTERFACE_KEYBOARD_MAJOR,
    .minor_version = SPICE_INTERFACE_KEYBOARD_MINOR,
  },
  .push_scan_freg = kbd_push_scan_freg,
  .get_leds = kbd_get_leds,
};

/* SPICE's button bits (left 1, middle 2, right 4) in PS/2's order
 * (left 1, right 2, middle 4). */
static unsigned
ps2_buttons (uint32_t state)
{
  return ((state & SPICE_MOUSE_BUTTON_MASK_LEFT) ? 0x01 : 0) |
         ((state & SPICE_MOUSE_BUTTON_MASK_RIGHT) ? 0x02 : 0) |
         ((state & SPICE_MOUSE_BUTTON_MASK_MIDDLE) ? 0x04 : 0);
}

static void
mouse_motion (SpiceMouseInstance *sin, int dx, int dy, int dz, uint32_t buttons_state)
{
  i8042_aux_input (input_from_mouse (sin)->i8042, dx, dy, ps2_buttons (buttons_state));
}

static void
mouse_buttons (SpiceMouseInstance *sin, uint32_t buttons_state)
{
  i8042_aux_input (input_from_mouse (sin)->i8042, 0, 0, ps2_buttons (buttons_state));
}

static const SpiceMouseInterface display_mouse_interface = {
  .base = {
    .type = SPICE_INTERFACE_MOUSE,
    .description = "i8042 PS/2 mouse",
    .major_version = SPICE_INTERFACE_MOUSE_MAJOR,
    .minor_version = SPICE_INTERFACE_MOUSE_MINOR,
  },
  .motion = mouse_motion,
  .buttons = mouse_buttons,
};

/* spice-server is not thread-safe: the LEDs, set on a vCPU thread, reach
 * it from the main loop. */
static gboolean
on_leds_changed (gpointer user_data)
{
  DisplayInput *input = user_data;

  g_mutex_lock (&input->lock);
  input->leds_id = 0;
  g_mutex_unlock (&input->lock);
  spice_server_kbd_leds (&input->kbd, spice_leds (i8042_get_leds (input->i8042)));
  return G_SOURCE_REMOVE;
}

static void
on_i8042_leds (uint8_t leds, void *user_data)
{
  DisplayInput *input = user_data;

  g_mutex_lock (&input->lock);
  if (input->leds_id == 0)
    input->leds_id = g_idle_add (on_leds_changed, input);
  g_mutex_unlock (&input->lock);
}

DisplayInput *
display_input_new (SpiceServer *server, I8042 *i8042, GError **error)
{
  DisplayInput *input = g_new0 (DisplayInput, 1);

  input->i8042 = i8042;
  g_mutex_init (&input->lock);
  input->kbd.base.sif = &display_kbd_interface.base;
  input->mouse.base.sif = &display_mouse_interface.base;
  if (spice_server_add_interface (server, &input->kbd.base) != 0 ||
      spice_server_add_interface (server, &input->mouse.base) != 0)
    {
      g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_FAILED,
                   _ ("The display server refused the machine’s keyboard or mouse."));
      display_input_free (input);
      return NULL;
    }
  i8042_set_leds_func (i8042, on_i8042_leds, input);
  return input;
}

void
display_input_free (DisplayInput *input)
{
  if (input == NULL)
    return;
  i8042_set_leds_func (input->i8042, NULL, NULL);
  g_mutex_lock (&input->lock);
  g_clear_handle_id (&input->leds_id, g_source_remove);
  g_mutex_unlock (&input->lock);
  g_mutex_clear (&input->lock);
  g_free (input);
}
