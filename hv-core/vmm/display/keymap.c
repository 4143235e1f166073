/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "keymap.h"

#include <string.h>

typedef struct
{
  const char *name;
  unsigned code;
} KeymapEntry;

#define E KEYMAP_EXTENDED

static const KeymapEntry keymap[] = {
  { "esc", 0x01 },
  { "1", 0x02 },
  { "2", 0x03 },
  { "3", 0x04 },
  { "4", 0x05 },
  { "5", 0x06 },
  { "6", 0x07 },
  { "7", 0x08 },
  { "8", 0x09 },
  { "9", 0x0a },
  { "0", 0x0b },
  { "minus", 0x0c },
  { "equal", 0x0d },
  { "backspace", 0x0e },
  { "tab", 0x0f },
  { "q", 0x10 },
  { "w", 0x11 },
  { "e", 0x12 },
  { "r", 0x13 },
  { "t", 0x14 },
  { "y", 0x15 },
  { "u", 0x16 },
  { "i", 0x17 },
  { "o", 0x18 },
  { "p", 0x19 },
  { "bracket_left", 0x1a },
  { "bracket_right", 0x1b },
  { "ret", 0x1c },
  { "enter", 0x1c },
  { "ctrl", 0x1d },
  { "a", 0x1e },
  { "s", 0x1f },
  { "d", 0x20 },
  { "f", 0x21 },
  { "g", 0x22 },
  { "h", 0x23 },
  { "j", 0x24 },
  { "k", 0x25 },
  { "l", 0x26 },
  { "semicolon", 0x27 },
  { "apostrophe", 0x28 },
  { "grave_accent", 0x29 },
  { "shift", 0x2a },
  { "backslash", 0x2b },
  { "z", 0x2c },
  { "x", 0x2d },
  { "c", 0x2e },
  { "v", 0x2f },
  { "b", 0x30 },
  { "n", 0x31 },
  { "m", 0x32 },
  { "comma", 0x33 },
  { "dot", 0x34 },
  { "slash", 0x35 },
  { "shift_r", 0x36 },
  { "asterisk", 0x37 },
  { "alt", 0x38 },
  { "spc", 0x39 },
  { "space", 0x39 },
  { "caps_lock", 0x3a },
  { "f1", 0x3b },
  { "f2", 0x3c },
  { "f3", 0x3d },
  { "f4", 0x3e },
  { "f5", 0x3f },
  { "f6", 0x40 },
  { "f7", 0x41 },
  { "f8", 0x42 },
  { "f9", 0x43 },
  { "f10", 0x44 },
  { "num_lock", 0x45 },
  { "scroll_lock", 0x46 },
  { "f11", 0x57 },
  { "f12", 0x58 },
  { "ctrl_r", E | 0x1d },
  { "alt_r", E | 0x38 },
  { "home", E | 0x47 },
  { "up", E | 0x48 },
  { "pgup", E | 0x49 },
  { "left", E | 0x4b },
  { "right", E | 0x4d },
  { "end", E | 0x4f },
  { "down", E | 0x50 },
  { "pgdn", E | 0x51 },
  { "insert", E | 0x52 },
  { "delete", E | 0x53 },
  { "meta_l", E | 0x5b },
  { "meta_r", E | 0x5c },
  { "menu", E | 0x5d },
};

#undef E

unsigned
keymap_lookup (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (keymap); i++)
    if (g_ascii_strcasecmp (keymap[i].name, name) == 0)
      return keymap[i].code;
  return 0;
}
