/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "hangar-keymap.h"

#define E0(code) (HANGAR_XT_E0 | (code))

/* evdev codes 1 to 83 (Escape to keypad dot) are the XT codes themselves: the
 * Linux numbering began as the PC keyboard's. Past those, from
 * linux/input-event-codes.h on the left to the XT set 1 table on the right. */
static const struct
{
  guint16 evdev;
  guint16 xt;
} beyond_83[] = {
  { 85, 0x76 },       /* KEY_ZENKAKUHANKAKU */
  { 86, 0x56 },       /* KEY_102ND: the key between left Shift and Z on ISO keyboards */
  { 87, 0x57 },       /* KEY_F11 */
  { 88, 0x58 },       /* KEY_F12 */
  { 89, 0x73 },       /* KEY_RO */
  { 90, 0x78 },       /* KEY_KATAKANA */
  { 91, 0x77 },       /* KEY_HIRAGANA */
  { 92, 0x79 },       /* KEY_HENKAN */
  { 93, 0x70 },       /* KEY_KATAKANAHIRAGANA */
  { 94, 0x7b },       /* KEY_MUHENKAN */
  { 95, 0x5c },       /* KEY_KPJPCOMMA */
  { 96, E0 (0x1c) },  /* KEY_KPENTER */
  { 97, E0 (0x1d) },  /* KEY_RIGHTCTRL */
  { 98, E0 (0x35) },  /* KEY_KPSLASH */
  { 99, E0 (0x37) },  /* KEY_SYSRQ: Print Screen */
  { 100, E0 (0x38) }, /* KEY_RIGHTALT */
  { 102, E0 (0x47) }, /* KEY_HOME */
  { 103, E0 (0x48) }, /* KEY_UP */
  { 104, E0 (0x49) }, /* KEY_PAGEUP */
  { 105, E0 (0x4b) }, /* KEY_LEFT */
  { 106, E0 (0x4d) }, /* KEY_RIGHT */
  { 107, E0 (0x4f) }, /* KEY_END */
  { 108, E0 (0x50) }, /* KEY_DOWN */
  { 109, E0 (0x51) }, /* KEY_PAGEDOWN */
  { 110, E0 (0x52) }, /* KEY_INSERT */
  { 111, E0 (0x53) }, /* KEY_DELETE */
  { 113, E0 (0x20) }, /* KEY_MUTE */
  { 114, E0 (0x2e) }, /* KEY_VOLUMEDOWN */
  { 115, E0 (0x30) }, /* KEY_VOLUMEUP */
  { 116, E0 (0x5e) }, /* KEY_POWER */
  { 117, 0x59 },      /* KEY_KPEQUAL */
  { 119, E0 (0x46) }, /* KEY_PAUSE: sent as Ctrl+Break's code, which guests take as Pause */
  { 121, 0x7e },      /* KEY_KPCOMMA */
  { 124, 0x7d },      /* KEY_YEN */
  { 125, E0 (0x5b) }, /* KEY_LEFTMETA */
  { 126, E0 (0x5c) }, /* KEY_RIGHTMETA */
  { 127, E0 (0x5d) }, /* KEY_COMPOSE: the Menu key */
  { 140, E0 (0x21) }, /* KEY_CALC */
  { 142, E0 (0x5f) }, /* KEY_SLEEP */
  { 143, E0 (0x63) }, /* KEY_WAKEUP */
  { 150, E0 (0x32) }, /* KEY_WWW */
  { 155, E0 (0x6c) }, /* KEY_MAIL */
  { 158, E0 (0x6a) }, /* KEY_BACK */
  { 159, E0 (0x69) }, /* KEY_FORWARD */
  { 163, E0 (0x19) }, /* KEY_NEXTSONG */
  { 164, E0 (0x22) }, /* KEY_PLAYPAUSE */
  { 165, E0 (0x10) }, /* KEY_PREVIOUSSONG */
  { 166, E0 (0x24) }, /* KEY_STOPCD */
  { 172, E0 (0x32) }, /* KEY_HOMEPAGE */
  { 173, E0 (0x67) }, /* KEY_REFRESH */
  { 217, E0 (0x65) }, /* KEY_SEARCH */
};

guint
hangar_keymap_evdev_to_xt (guint evdev_code)
{
  if (evdev_code >= 1 && evdev_code <= 83)
    return evdev_code;
  for (guint i = 0; i < G_N_ELEMENTS (beyond_83); i++)
    {
      if (beyond_83[i].evdev == evdev_code)
        return beyond_83[i].xt;
    }
  return 0;
}

guint
hangar_keymap_hardware_to_xt (guint hardware_keycode)
{
  if (hardware_keycode < 8)
    return 0;
  return hangar_keymap_evdev_to_xt (hardware_keycode - 8);
}
