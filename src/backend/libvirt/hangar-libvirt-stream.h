/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A libvirt stream (a domain's console) as a GIOStream: a socket pair whose far
 * end a pump in the main loop joins to the virStream through libvirt's event
 * callbacks. Widgets then read and write plain GIO streams, whatever the back end.
 */
#pragma once

#include <gio/gio.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

G_BEGIN_DECLS

/* Takes STREAM, opened with VIR_STREAM_NONBLOCK. Main thread; needs a libvirt
 * event loop in the main context (gvir_event_register). Closing the returned
 * stream ends the virStream; the guest's end of it closes the returned one. */
GIOStream *_hangar_libvirt_stream_bridge (virStreamPtr stream, GError **error);

G_END_DECLS
