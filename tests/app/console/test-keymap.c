/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The keymap against the PC XT scan code set 1 for a table of keys. */
#include "config.h"

#include "hangar-keymap.h"

/* evdev codes from linux/input-event-codes.h; XT codes with 0xE0 prefixes as
 * HANGAR_XT_E0 | code. */
static const struct
{
  const char *name;
  guint evdev;
  guint xt;
} keys[] = {
  { "Escape", 1, 0x01 },
  { "1", 2, 0x02 },
  { "0", 11, 0x0b },
  { "Backspace", 14, 0x0e },
  { "Tab", 15, 0x0f },
  { "Q", 16, 0x10 },
  { "Return", 28, 0x1c },
  { "left Ctrl", 29, 0x1d },
  { "A", 30, 0x1e },
  { "left Shift", 42, 0x2a },
  { "Z", 44, 0x2c },
  { "M", 50, 0x32 },
  { "slash", 53, 0x35 },
  { "right Shift", 54, 0x36 },
  { "keypad *", 55, 0x37 },
  { "left Alt", 56, 0x38 },
  { "space", 57, 0x39 },
  { "Caps Lock", 58, 0x3a },
  { "F1", 59, 0x3b },
  { "F10", 68, 0x44 },
  { "Num Lock", 69, 0x45 },
  { "keypad 7", 71, 0x47 },
  { "keypad .", 83, 0x53 },
  { "ISO extra key", 86, 0x56 },
  { "F11", 87, 0x57 },
  { "F12", 88, 0x58 },
  { "keypad Enter", 96, HANGAR_XT_E0 | 0x1c },
  { "right Ctrl", 97, HANGAR_XT_E0 | 0x1d },
  { "keypad /", 98, HANGAR_XT_E0 | 0x35 },
  { "Print Screen", 99, HANGAR_XT_E0 | 0x37 },
  { "right Alt", 100, HANGAR_XT_E0 | 0x38 },
  { "Home", 102, HANGAR_XT_E0 | 0x47 },
  { "Up", 103, HANGAR_XT_E0 | 0x48 },
  { "Page Up", 104, HANGAR_XT_E0 | 0x49 },
  { "Left", 105, HANGAR_XT_E0 | 0x4b },
  { "Right", 106, HANGAR_XT_E0 | 0x4d },
  { "End", 107, HANGAR_XT_E0 | 0x4f },
  { "Down", 108, HANGAR_XT_E0 | 0x50 },
  { "Page Down", 109, HANGAR_XT_E0 | 0x51 },
  { "Insert", 110, HANGAR_XT_E0 | 0x52 },
  { "Delete", 111, HANGAR_XT_E0 | 0x53 },
  { "left Super", 125, HANGAR_XT_E0 | 0x5b },
  { "right Super", 126, HANGAR_XT_E0 | 0x5c },
  { "Menu", 127, HANGAR_XT_E0 | 0x5d },
  { "Mute", 113, HANGAR_XT_E0 | 0x20 },
  { "no such key (KEY_RESERVED)", 0, 0 },
  { "no PC key (KEY_MACRO)", 112, 0 },
  { "beyond the table", 700, 0 },
};

static void
test_evdev (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      guint xt = hangar_keymap_evdev_to_xt (keys[i].evdev);
      if (xt != keys[i].xt)
        g_error ("%s (evdev %u): got 0x%x, want 0x%x", keys[i].name, keys[i].evdev, xt, keys[i].xt);
    }
}

/* GDK's hardware key codes are XKB's: evdev + 8 (X11 and Wayland alike). */
static void
test_hardware (void)
{
  g_assert_cmphex (hangar_keymap_hardware_to_xt (9), ==, 0x01);                  /* Escape */
  g_assert_cmphex (hangar_keymap_hardware_to_xt (38), ==, 0x1e);                 /* A */
  g_assert_cmphex (hangar_keymap_hardware_to_xt (114), ==, HANGAR_XT_E0 | 0x4d); /* Right */
  g_assert_cmphex (hangar_keymap_hardware_to_xt (7), ==, 0);
  g_assert_cmphex (hangar_keymap_hardware_to_xt (0), ==, 0);
}

/* No two keys may send the same code, or the guest could not tell them apart. */
static void
test_unique (void)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (NULL, NULL);

  for (guint evdev = 1; evdev < 256; evdev++)
    {
      guint xt = hangar_keymap_evdev_to_xt (evdev);
      /* KEY_WWW and KEY_HOMEPAGE are one key on PC keyboards. */
      if (xt == 0 || evdev == 172)
        continue;
      if (g_hash_table_contains (seen, GUINT_TO_POINTER (xt)))
        g_error ("evdev %u sends 0x%x, as evdev %u does", evdev, xt,
                 GPOINTER_TO_UINT (g_hash_table_lookup (seen, GUINT_TO_POINTER (xt))));
      g_hash_table_insert (seen, GUINT_TO_POINTER (xt), GUINT_TO_POINTER (evdev));
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/Hangar/keymap/evdev", test_evdev);
  g_test_add_func ("/Hangar/keymap/hardware", test_hardware);
  g_test_add_func ("/Hangar/keymap/unique", test_unique);
  return g_test_run ();
}
