/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "spice-core.h"

#include <glib-unix.h>
#include <glib.h>

struct SpiceTimer
{
  SpiceTimerFunc func;
  void *opaque;
  GSource *source;
};

struct SpiceWatch
{
  int fd;
  SpiceWatchFunc func;
  void *opaque;
  GSource *source;
};

static DisplayChannelEventFunc channel_event_func;
static void *channel_event_data;

static SpiceTimer *
core_timer_add (SpiceTimerFunc func, void *opaque)
{
  SpiceTimer *timer = g_new0 (SpiceTimer, 1);

  timer->func = func;
  timer->opaque = opaque;
  return timer;
}

static void
core_timer_cancel (SpiceTimer *timer)
{
  if (timer->source == NULL)
    return;
  g_source_destroy (timer->source);
  g_clear_pointer (&timer->source, g_source_unref);
}

static gboolean
on_timer (gpointer user_data)
{
  SpiceTimer *timer = user_data;

  /* One-shot: spice-server starts it again when it wants more. */
  g_clear_pointer (&timer->source, g_source_unref);
  timer->func (timer->opaque);
  return G_SOURCE_REMOVE;
}

static void
core_timer_start (SpiceTimer *timer, uint32_t ms)
{
  core_timer_cancel (timer);
  timer->source = g_timeout_source_new (ms);
  g_source_set_callback (timer->source, on_timer, timer, NULL);
  g_source_attach (timer->source, NULL);
}

static void
core_timer_remove (SpiceTimer *timer)
{
  core_timer_cancel (timer);
  g_free (timer);
}

static GIOCondition
core_watch_condition (int event_mask)
{
  GIOCondition cond = 0;

  if (event_mask & SPICE_WATCH_EVENT_READ)
    cond |= G_IO_IN;
  if (event_mask & SPICE_WATCH_EVENT_WRITE)
    cond |= G_IO_OUT;
  return cond;
}

static gboolean
on_watch (int fd, GIOCondition cond, gpointer user_data)
{
  SpiceWatch *watch = user_data;
  int event = 0;

  /* Errors and hang-ups are reported as readable: the read then fails. */
  if (cond & (G_IO_IN | G_IO_HUP | G_IO_ERR))
    event |= SPICE_WATCH_EVENT_READ;
  if (cond & G_IO_OUT)
    event |= SPICE_WATCH_EVENT_WRITE;
  watch->func (fd, event, watch->opaque);
  return G_SOURCE_CONTINUE;
}

static void
core_watch_update_mask (SpiceWatch *watch, int event_mask)
{
  if (watch->source != NULL)
    {
      g_source_destroy (watch->source);
      g_clear_pointer (&watch->source, g_source_unref);
    }
  if (event_mask == 0)
    return;
  watch->source = g_unix_fd_source_new (watch->fd, core_watch_condition (event_mask));
  g_source_set_callback (watch->source, G_SOURCE_FUNC (on_watch), watch, NULL);
  g_source_attach (watch->source, NULL);
}

static SpiceWatch *
core_watch_add (int fd, int event_mask, SpiceWatchFunc func, void *opaque)
{
  SpiceWatch *watch = g_new0 (SpiceWatch, 1);

  watch->fd = fd;
  watch->func = func;
  watch->opaque = opaque;
  core_watch_update_mask (watch, event_mask);
  return watch;
}

static void
core_watch_remove (SpiceWatch *watch)
{
  core_watch_update_mask (watch, 0);
  g_free (watch);
}

static void
core_channel_event (int event, SpiceChannelEventInfo *info)
{
  if (channel_event_func != NULL)
    channel_event_func (event, info, channel_event_data);
}

static SpiceCoreInterface display_core = {
  .base = {
    .type = SPICE_INTERFACE_CORE,
    .description = "hv-vmm GLib main loop",
    .major_version = SPICE_INTERFACE_CORE_MAJOR,
    .minor_version = SPICE_INTERFACE_CORE_MINOR,
  },
  .timer_add = core_timer_add,
  .timer_start = core_timer_start,
  .timer_cancel = core_timer_cancel,
  .timer_remove = core_timer_remove,
  .watch_add = core_watch_add,
  .watch_update_mask = core_watch_update_mask,
  .watch_remove = core_watch_remove,
  .channel_event = core_channel_event,
};

SpiceCoreInterface *
display_core_get (DisplayChannelEventFunc func, void *user_data)
{
  channel_event_func = func;
  channel_event_data = user_data;
  return &display_core;
}
