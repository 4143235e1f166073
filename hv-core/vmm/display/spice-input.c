/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "spice-input.h"

#include <glib/gi18n-lib.h>

#include "virtio/input.h"
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
  GMutex lock;   /* guards leds_id and tablet_id */

  /* The virtio tablet, offered to spice-server while the guest's driver
   * takes its events: then clients may use client (absolute) mouse mode. */
  SpiceTabletInstance tablet;
  SpiceServer *server;
  VirtioInput *vtablet;   /* NULL: none */
  VirtioInput *vkeyboard; /* NULL: none; takes the keys while bound */
  guint tablet_id;        /* a pending add or removal of the interface */
  bool tablet_added;
  int width, height; /* the logical size positions are in */
  uint32_t buttons;  /* SPICE's button state, last sent */
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
  DisplayInput *input = input_from_kbd (sin);

  if (input->vkeyboard != NULL && virtio_input_is_active (input->vkeyboard))
    virtio_input_scancode (input->vkeyboard, frag);
  else
    i8042_kbd_input (input->i8042, frag);
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

static DisplayInput *
input_from_tablet (SpiceTabletInstance *sin)
{
  return (DisplayInput *) ((char *) sin - G_STRUCT_OFFSET (DisplayInput, tablet));
}

static void
tablet_set_logical_size (SpiceTabletInstance *sin, int width, int height)
{
  DisplayInput *input = input_from_tablet (sin);

  input->width = width;
  input->height = height;
}

/* From 0 .. SIZE - 1 to the tablet's 0 .. VIRTIO_INPUT_ABS_MAX. */
static uint32_t
tablet_scale (int v, int size)
{
  if (size <= 1 || v <= 0)
    return 0;
  if (v >= size - 1)
    return VIRTIO_INPUT_ABS_MAX;
  return (uint32_t) ((uint64_t) v * VIRTIO_INPUT_ABS_MAX / (uint64_t) (size - 1));
}

static void
tablet_buttons (SpiceTabletInstance *sin, uint32_t buttons_state)
{
  static const struct
  {
    uint32_t mask;
    uint16_t code;
  } map[] = {
    { SPICE_MOUSE_BUTTON_MASK_LEFT, VIRTIO_INPUT_BTN_LEFT },
    { SPICE_MOUSE_BUTTON_MASK_RIGHT, VIRTIO_INPUT_BTN_RIGHT },
    { SPICE_MOUSE_BUTTON_MASK_MIDDLE, VIRTIO_INPUT_BTN_MIDDLE },
  };
  DisplayInput *input = input_from_tablet (sin);
  uint32_t changed = input->buttons ^ buttons_state;

  for (unsigned i = 0; i < G_N_ELEMENTS (map); i++)
    {
      if ((changed & map[i].mask) != 0)
        virtio_input_key (input->vtablet, map[i].code, (buttons_state & map[i].mask) != 0);
    }
  input->buttons = buttons_state;
}

static void
tablet_position (SpiceTabletInstance *sin, int x, int y, uint32_t buttons_state)
{
  DisplayInput *input = input_from_tablet (sin);

  virtio_input_tablet_position (input->vtablet, tablet_scale (x, input->width),
                                tablet_scale (y, input->height));
  tablet_buttons (sin, buttons_state);
}

/* SPICE counts wheel steps towards the user; evdev away from them. */
static void
tablet_wheel (SpiceTabletInstance *sin, int wheel_motion, uint32_t buttons_state)
{
  DisplayInput *input = input_from_tablet (sin);

  if (wheel_motion != 0)
    virtio_input_wheel (input->vtablet, -wheel_motion);
  tablet_buttons (sin, buttons_state);
}

static const SpiceTabletInterface display_tablet_interface = {
  .base = {
    .type = SPICE_INTERFACE_TABLET,
    .description = "virtio tablet",
    .major_version = SPICE_INTERFACE_TABLET_MAJOR,
    .minor_version = SPICE_INTERFACE_TABLET_MINOR,
  },
  .set_logical_size = tablet_set_logical_size,
  .position = tablet_position,
  .wheel = tablet_wheel,
  .buttons = tablet_buttons,
};

/* On the main loop: the interface follows the guest's driver. */
static gboolean
on_tablet_changed (gpointer user_data)
{
  DisplayInput *input = user_data;
  bool active = virtio_input_is_active (input->vtablet);

  g_mutex_lock (&input->lock);
  input->tablet_id = 0;
  g_mutex_unlock (&input->lock);
  if (active && !input->tablet_added)
    {
      input->tablet.base.sif = &display_tablet_interface.base;
      input->tablet_added = spice_server_add_interface (input->server, &input->tablet.base) == 0;
      if (!input->tablet_added)
        g_warning ("The display server refused the virtio tablet.");
    }
  else if (!active && input->tablet_added)
    {
      spice_server_remove_interface (&input->tablet.base);
      input->tablet_added = false;
      input->buttons = 0;
    }
  return G_SOURCE_REMOVE;
}

static void
on_tablet_active (bool active, void *user_data)
{
  DisplayInput *input = user_data;

  g_mutex_lock (&input->lock);
  if (input->tablet_id == 0)
    input->tablet_id = g_idle_add (on_tablet_changed, input);
  g_mutex_unlock (&input->lock);
}

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
display_input_new (SpiceServer *server, I8042 *i8042, VirtioInput *keyboard, VirtioInput *tablet,
                   GError **error)
{
  DisplayInput *input = g_new0 (DisplayInput, 1);

  input->i8042 = i8042;
  input->server = server;
  input->vtablet = tablet;
  input->vkeyboard = keyboard;
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
  if (tablet != NULL)
    {
      virtio_input_set_active_func (tablet, on_tablet_active, input);
      if (virtio_input_is_active (tablet))
        on_tablet_active (true, input);
    }
  return input;
}

void
display_input_free (DisplayInput *input)
{
  if (input == NULL)
    return;
  i8042_set_leds_func (input->i8042, NULL, NULL);
  if (input->vtablet != NULL)
    virtio_input_set_active_func (input->vtablet, NULL, NULL);
  g_mutex_lock (&input->lock);
  g_clear_handle_id (&input->leds_id, g_source_remove);
  g_clear_handle_id (&input->tablet_id, g_source_remove);
  g_mutex_unlock (&input->lock);
  g_mutex_clear (&input->lock);
  g_free (input);
}
