/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The display's control commands (docs/control-protocol.md): screendump,
 * send-key, query-display, added to the control server. They exist with or
 * without a display: screendump then fails with InvalidState.
 */
#pragma once

#include "control.h"
#include "display-server.h"
#include "vmm.h"

typedef struct display_control DisplayControl;

/* DISPLAY is NULL without a display. The result must outlive CONTROL. */
DisplayControl *display_control_new (ControlServer *control, Vmm *vmm, DisplayServer *display);
void display_control_free (DisplayControl *dc);
