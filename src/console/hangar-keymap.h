/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Keys from the host's keyboard to the guest's: Linux input (evdev) key codes
 * to PC XT scan codes (set 1), the codes a PS/2 keyboard sends and SPICE
 * carries. No GTK here, so that the table is tested on its own.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Set in a scan code that the keyboard sends after an 0xE0 prefix byte: SPICE's
 * inputs channel takes the code in this form. */
#define HANGAR_XT_E0 0x100

/* 0 when a PC keyboard has no such key. */
guint hangar_keymap_evdev_to_xt (guint evdev_code);

/* GDK's hardware key code on X11 and Wayland is the evdev code plus 8, as XKB
 * numbers keys. 0 for codes with no PC key. */
guint hangar_keymap_hardware_to_xt (guint hardware_keycode);

G_END_DECLS
