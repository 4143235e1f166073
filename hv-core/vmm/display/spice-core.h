/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * spice-server's event loop interface (timers, fd watches, channel events)
 * on the GLib main context that hv-vmm runs.
 */
#pragma once

#include <spice.h>

/* Called on the main thread for every SPICE_CHANNEL_EVENT_*. */
typedef void (*DisplayChannelEventFunc) (int event, const SpiceChannelEventInfo *info,
                                         void *user_data);

/* The one interface of the process: spice-server's channel_event has no
 * user data, so there can be only one listener. */
SpiceCoreInterface *display_core_get (DisplayChannelEventFunc func, void *user_data);
