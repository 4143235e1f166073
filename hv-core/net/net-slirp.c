/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libslirp on a GMainContext. libslirp asks for its sockets afresh before
 * every sleep (slirp_pollfds_fill) and for their events after it
 * (slirp_pollfds_poll): a GSource whose prepare, check and dispatch do
 * exactly that, plus the few timers libslirp keeps.
 *
 * libslirp is not thread-safe; one lock serialises everything, so that a
 * device thread may hand frames in while the context runs. What libslirp
 * sends is queued under that lock and handed out after it is released:
 * the receiver may take locks of its own, or answer at once.
 */

#include "config.h"

#include "net-slirp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <glib/gi18n-lib.h>
#include <slirp/libslirp.h>

#include "net-frame.h"

G_DEFINE_QUARK (net - slirp - error - quark, net_slirp_error)

typedef struct
{
  SlirpTimerCb callback;
  void *callback_data;
  gint64 expire_ms; /* -1: not armed */
} NetSlirpTimer;

typedef struct
{
  GSource source;
  NetSlirp *owner;
} NetSlirpSource;

struct NetSlirp
{
  Slirp *slirp;
  GRecMutex lock;
  GMainContext *context;
  GSource *source;
  /* The descriptors libslirp asked for: each GPollFD is registered with
   * the source for as long as its fd is asked for, because registering
   * wakes the context up, and doing it on every cycle would spin it. */
  GHashTable *polled;  /* fd -> GPollFD, its own allocation: GLib keeps the pointer */
  GPtrArray *by_index; /* this cycle's add_poll () index -> GPollFD */
  GPtrArray *timers;   /* NetSlirpTimer */
  gint64 wake_ms;      /* libslirp's own timeout ends: -1 for none */
  gboolean kicked;     /* a frame came in: libslirp may have output waiting */
  GQueue pending;      /* GBytes: frames from libslirp not yet handed out */
  gboolean flushing;   /* one thread hands them out, in order */
  NetSlirpOutputFunc output;
  gpointer user_data;
};

static gboolean G_GNUC_PRINTF (2, 3) set_config_error (GError **error, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, NET_SLIRP_ERROR, NET_SLIRP_ERROR_INVALID_ARGUMENT, message);
  return FALSE;
}

static guint32
host_order (struct in_addr address)
{
  return ntohl (address.s_addr);
}

static struct in_addr
net_order (guint32 address)
{
  struct in_addr result = { htonl (address) };

  return result;
}

static gboolean
parse_subnet (NetSlirpConfig *config, const char *subnet, GError **error)
{
  g_auto (GStrv) parts = g_strsplit (subnet, "/", 2);
  guint64 prefix = 0;
  guint32 mask;

  if (g_strv_length (parts) != 2 || inet_pton (AF_INET, parts[0], &config->network) != 1 ||
      !g_ascii_string_to_unsigned (parts[1], 10, 8, 29, &prefix, NULL))
    return set_config_error (error,
                             _ ("“%s” is not a subnet: write it as an IPv4 network and a prefix "
                                "length from 8 to 29, such as 10.0.2.0/24"),
                             subnet);
  mask = 0xffffffffu << (32 - prefix);
  if ((host_order (config->network) & ~mask) != 0)
    return set_config_error (error,
                             _ ("“%s” has host bits set: give the network's first address, such "
                                "as 10.0.2.0/24"),
                             subnet);
  config->prefix_len = prefix;
  return TRUE;
}

static guint32
config_mask (const NetSlirpConfig *config)
{
  return 0xffffffffu << (32 - config->prefix_len);
}

static gboolean
in_subnet (const NetSlirpConfig *config, struct in_addr address)
{
  return (host_order (address) & config_mask (config)) == host_order (config->network);
}

gboolean
net_slirp_config_init (NetSlirpConfig *config, const char *subnet, const char *dhcp_start,
                       GError **error)
{
  guint32 base;

  memset (config, 0, sizeof *config);
  config->forwards = g_array_new (FALSE, TRUE, sizeof (NetForward));
  if (!parse_subnet (config, subnet != NULL ? subnet : "10.0.2.0/24", error))
    return FALSE;
  base = host_order (config->network);
  config->router = net_order (base + 2);
  config->dns = net_order (base + 3);
  /* A /29 has room for no more than a few leases after the router. */
  config->dhcp_start = net_order (base + (config->prefix_len <= 27 ? 15 : 4));
  if (dhcp_start != NULL &&
      (inet_pton (AF_INET, dhcp_start, &config->dhcp_start) != 1 ||
       !in_subnet (config, config->dhcp_start) || host_order (config->dhcp_start) <= base + 3))
    return set_config_error (error,
                             _ ("The DHCP start address “%s” is not a host address of the "
                                "network after its router (.2) and DNS server (.3)"),
                             dhcp_start);
  return TRUE;
}

void
net_slirp_config_clear (NetSlirpConfig *config)
{
  g_clear_pointer (&config->forwards, g_array_unref);
}

/* "ADDR:PORT" with ADDR maybe empty. */
static gboolean
parse_endpoint (const char *text, struct in_addr fallback, struct in_addr *address, guint16 *port)
{
  const char *colon = strrchr (text, ':');
  g_autofree char *host = NULL;
  guint64 value;

  if (colon == NULL || !g_ascii_string_to_unsigned (colon + 1, 10, 1, 65535, &value, NULL))
    return FALSE;
  *port = value;
  host = g_strndup (text, colon - text);
  if (*host == '\0')
    {
      *address = fallback;
      return TRUE;
    }
  return inet_pton (AF_INET, host, address) == 1;
}

gboolean
net_slirp_config_add_forward (NetSlirpConfig *config, const char *spec, GError **error)
{
  NetForward forward = { 0 };
  struct in_addr loopback = { htonl (INADDR_LOOPBACK) };
  struct in_addr any_guest = { 0 };
  g_auto (GStrv) sides = NULL;
  const char *rest = spec;

  forward.udp = g_str_has_prefix (spec, "udp:");
  if (forward.udp || g_str_has_prefix (spec, "tcp:"))
    rest = spec + 4;
  sides = g_strsplit (rest, "-", 2);
  if (g_strv_length (sides) != 2 ||
      !parse_endpoint (sides[0], loopback, &forward.host_address, &forward.host_port) ||
      !parse_endpoint (sides[1], any_guest, &forward.guest_address, &forward.guest_port) ||
      (forward.guest_address.s_addr != 0 && !in_subnet (config, forward.guest_address)))
    return set_config_error (error,
                             _ ("“%s” is not a port forward: write it as "
                                "tcp:HOST-ADDRESS:PORT-GUEST-ADDRESS:PORT, such as "
                                "tcp:127.0.0.1:2222-:22 (an empty guest address means the "
                                "first DHCP address)"),
                             spec);
  g_array_append_val (config->forwards, forward);
  return TRUE;
}

/* Beyond this many frames waiting to be handed out, libslirp's frames are
 * dropped: its TCP sends them again later. */
#define NET_SLIRP_MAX_PENDING 512

/* libslirp's callbacks. */

static ssize_t
on_send_packet (const void *buf, size_t len, void *opaque)
{
  NetSlirp *self = opaque;

  if (net_frame_is_valid_length (len) && self->pending.length < NET_SLIRP_MAX_PENDING)
    g_queue_push_tail (&self->pending, g_bytes_new (buf, len));
  return len;
}

static void
on_guest_error (const char *msg, void *opaque)
{
  g_debug ("slirp: a guest sent something wrong: %s", msg);
}

/* Wakes the context's thread, unless this is it: then the next prepare ()
 * sees the change anyway, and a wake-up would only spin the loop once more. */
static void
wake_context (NetSlirp *self)
{
  if (!g_main_context_is_owner (self->context))
    g_main_context_wakeup (self->context);
}

static int64_t
on_clock_get_ns (void *opaque)
{
  return g_get_monotonic_time () * 1000;
}

static void *
on_timer_new (SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
  NetSlirp *self = opaque;
  NetSlirpTimer *timer = g_new0 (NetSlirpTimer, 1);

  timer->callback = cb;
  timer->callback_data = cb_opaque;
  timer->expire_ms = -1;
  g_ptr_array_add (self->timers, timer);
  return timer;
}

static void
on_timer_free (void *timer, void *opaque)
{
  NetSlirp *self = opaque;

  g_ptr_array_remove_fast (self->timers, timer);
}

static void
on_timer_mod (void *timer, int64_t expire_time, void *opaque)
{
  NetSlirp *self = opaque;

  ((NetSlirpTimer *) timer)->expire_ms = expire_time;
  wake_context (self);
}

static void
on_register_poll_fd (int fd, void *opaque)
{
}

static void
on_unregister_poll_fd (int fd, void *opaque)
{
}

static void
on_notify (void *opaque)
{
  wake_context (opaque);
}

static const SlirpCb slirp_callbacks = {
  .send_packet = on_send_packet,
  .guest_error = on_guest_error,
  .clock_get_ns = on_clock_get_ns,
  .timer_new = on_timer_new,
  .timer_free = on_timer_free,
  .timer_mod = on_timer_mod,
  .register_poll_fd = on_register_poll_fd,
  .unregister_poll_fd = on_unregister_poll_fd,
  .notify = on_notify,
};

/* The GSource. */

static gushort
glib_events (int events)
{
  return ((events & SLIRP_POLL_IN) ? G_IO_IN : 0) | ((events & SLIRP_POLL_OUT) ? G_IO_OUT : 0) |
         ((events & SLIRP_POLL_PRI) ? G_IO_PRI : 0);
}

static int
add_poll (int fd, int events, void *opaque)
{
  NetSlirp *self = opaque;
  GPollFD *pollfd = g_hash_table_lookup (self->polled, GINT_TO_POINTER (fd));

  if (pollfd == NULL)
    {
      pollfd = g_new0 (GPollFD, 1);
      pollfd->fd = fd;
      g_hash_table_insert (self->polled, GINT_TO_POINTER (fd), pollfd);
      g_source_add_poll (self->source, pollfd);
    }
  /* GLib reads the events at every poll: changing them needs no call. */
  pollfd->events = glib_events (events);
  g_ptr_array_add (self->by_index, pollfd);
  return self->by_index->len - 1;
}

static int
get_revents (int idx, void *opaque)
{
  NetSlirp *self = opaque;
  GPollFD *pollfd;

  if (idx < 0 || (guint) idx >= self->by_index->len)
    return 0;
  pollfd = g_ptr_array_index (self->by_index, idx);
  return ((pollfd->revents & G_IO_IN) ? SLIRP_POLL_IN : 0) |
         ((pollfd->revents & G_IO_OUT) ? SLIRP_POLL_OUT : 0) |
         ((pollfd->revents & G_IO_PRI) ? SLIRP_POLL_PRI : 0) |
         ((pollfd->revents & G_IO_ERR) ? SLIRP_POLL_ERR : 0) |
         ((pollfd->revents & G_IO_HUP) ? SLIRP_POLL_HUP : 0);
}

static gboolean
drop_if_unused (gpointer key, gpointer value, gpointer user_data)
{
  NetSlirp *self = user_data;

  if (g_ptr_array_find (self->by_index, value, NULL))
    return FALSE;
  g_source_remove_poll (self->source, value);
  return TRUE;
}

/* Asks libslirp for its descriptors, keeping the registrations of those
 * it still wants. */
static void
fill_pollfds (NetSlirp *self, uint32_t *timeout)
{
  g_ptr_array_set_size (self->by_index, 0);
  slirp_pollfds_fill (self->slirp, timeout, add_poll, self);
  g_hash_table_foreach_remove (self->polled, drop_if_unused, self);
}

static void
clear_pollfds (NetSlirp *self)
{
  g_ptr_array_set_size (self->by_index, 0);
  g_hash_table_foreach_remove (self->polled, drop_if_unused, self);
}

/* Milliseconds until the next timer fires, capped by TIMEOUT. */
static gint64
next_timer_ms (NetSlirp *self, gint64 now_ms, gint64 timeout)
{
  for (guint i = 0; i < self->timers->len; i++)
    {
      NetSlirpTimer *timer = g_ptr_array_index (self->timers, i);

      if (timer->expire_ms >= 0)
        timeout = MIN (timeout, MAX (timer->expire_ms - now_ms, 0));
    }
  return timeout;
}

static gboolean
source_prepare (GSource *source, int *timeout_out)
{
  NetSlirp *self = ((NetSlirpSource *) source)->owner;
  uint32_t timeout = UINT32_MAX;
  gint64 now_ms;
  gint64 next;

  g_rec_mutex_lock (&self->lock);
  fill_pollfds (self, &timeout);
  now_ms = g_get_monotonic_time () / 1000;
  /* The earliest wanted wake-up stands until a cycle has run: a loop kept
   * busy by other sources must not postpone libslirp's timers for ever. */
  if (timeout != UINT32_MAX && (self->wake_ms < 0 || now_ms + timeout < self->wake_ms))
    self->wake_ms = now_ms + timeout;
  next = next_timer_ms (self, now_ms, timeout == UINT32_MAX ? G_MAXINT : (gint64) timeout);
  if (self->kicked)
    next = 0;
  g_rec_mutex_unlock (&self->lock);
  *timeout_out = next >= G_MAXINT ? -1 : (int) next;
  return next == 0;
}

static gboolean
source_check (GSource *source)
{
  NetSlirp *self = ((NetSlirpSource *) source)->owner;
  gint64 now_ms;
  gboolean ready;

  g_rec_mutex_lock (&self->lock);
  now_ms = g_get_monotonic_time () / 1000;
  /* libslirp runs its TCP timers and retries what waited for ARP in
   * slirp_pollfds_poll (): it must run when its timeout ends, too. */
  ready = self->kicked || next_timer_ms (self, now_ms, 1) == 0 ||
          (self->wake_ms >= 0 && now_ms >= self->wake_ms);
  for (guint i = 0; i < self->by_index->len && !ready; i++)
    ready = ((GPollFD *) g_ptr_array_index (self->by_index, i))->revents != 0;
  g_rec_mutex_unlock (&self->lock);
  return ready;
}

static void
run_expired_timers (NetSlirp *self)
{
  gint64 now_ms = g_get_monotonic_time () / 1000;

  /* A callback may re-arm or free timers: look again after each. */
  for (gboolean fired = TRUE; fired;)
    {
      fired = FALSE;
      for (guint i = 0; i < self->timers->len && !fired; i++)
        {
          NetSlirpTimer *timer = g_ptr_array_index (self->timers, i);

          if (timer->expire_ms < 0 || timer->expire_ms > now_ms)
            continue;
          timer->expire_ms = -1;
          timer->callback (timer->callback_data);
          fired = TRUE;
        }
    }
}

/* Hands out what libslirp sent, without the lock. Another thread already
 * doing so takes these too, so frames keep their order. */
static void
flush_output (NetSlirp *self)
{
  GBytes *frame;

  g_rec_mutex_lock (&self->lock);
  if (self->flushing)
    {
      g_rec_mutex_unlock (&self->lock);
      return;
    }
  self->flushing = TRUE;
  while ((frame = g_queue_pop_head (&self->pending)) != NULL)
    {
      g_rec_mutex_unlock (&self->lock);
      self->output (g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), self->user_data);
      g_bytes_unref (frame);
      g_rec_mutex_lock (&self->lock);
    }
  self->flushing = FALSE;
  g_rec_mutex_unlock (&self->lock);
}

static gboolean
source_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  NetSlirp *self = ((NetSlirpSource *) source)->owner;

  g_rec_mutex_lock (&self->lock);
  self->kicked = FALSE;
  self->wake_ms = -1;
  slirp_pollfds_poll (self->slirp, 0, get_revents, self);
  run_expired_timers (self);
  g_rec_mutex_unlock (&self->lock);
  flush_output (self);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs source_funcs = {
  .prepare = source_prepare,
  .check = source_check,
  .dispatch = source_dispatch,
};

static gboolean
add_forwards (NetSlirp *self, const NetSlirpConfig *config, GError **error)
{
  for (guint i = 0; i < config->forwards->len; i++)
    {
      const NetForward *forward = &g_array_index (config->forwards, NetForward, i);
      struct in_addr guest = forward->guest_address;
      char host[INET_ADDRSTRLEN] = "";

      if (guest.s_addr == 0)
        guest = config->dhcp_start;
      if (slirp_add_hostfwd (self->slirp, forward->udp, forward->host_address, forward->host_port,
                             guest, forward->guest_port) == 0)
        continue;
      inet_ntop (AF_INET, &forward->host_address, host, sizeof host);
      g_set_error (error, NET_SLIRP_ERROR, NET_SLIRP_ERROR_ADDRESS_IN_USE,
                   _ ("Cannot forward the host's port %s:%u to the guests: it is in use or not "
                      "allowed. Choose another host port."),
                   host, forward->host_port);
      return FALSE;
    }
  return TRUE;
}

static int
add_no_poll (int fd, int events, void *opaque)
{
  return -1;
}

static int
get_no_revents (int idx, void *opaque)
{
  return 0;
}

/* libslirp reads its clock in the poll cycle only, and starts from 0: a
 * UDP flow created before the first cycle would expire at once (its reply
 * lost). One empty cycle now sets the clock. */
static void
start_clock (NetSlirp *self)
{
  uint32_t timeout = UINT32_MAX;

  slirp_pollfds_fill (self->slirp, &timeout, add_no_poll, NULL);
  slirp_pollfds_poll (self->slirp, 0, get_no_revents, NULL);
}

static Slirp *
create_slirp (const NetSlirpConfig *config, NetSlirp *self)
{
  SlirpConfig cfg = {
    .version = 4,
    .restricted = 0,
    .in_enabled = true,
    .vnetwork = config->network,
    .vnetmask = net_order (config_mask (config)),
    .vhost = config->router,
    .vhostname = "hangar",
    .vdhcp_start = config->dhcp_start,
    .vnameserver = config->dns,
    /* libslirp's "emulation" rewrites guest payloads; it is not safe. */
    .enable_emu = false,
  };

  return slirp_new (&cfg, &slirp_callbacks, self);
}

NetSlirp *
net_slirp_new (const NetSlirpConfig *config, GMainContext *context, NetSlirpOutputFunc output,
               gpointer user_data, GError **error)
{
  NetSlirp *self = g_new0 (NetSlirp, 1);

  g_rec_mutex_init (&self->lock);
  self->output = output;
  self->user_data = user_data;
  self->context = g_main_context_ref (context != NULL ? context : g_main_context_default ());
  self->polled = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->by_index = g_ptr_array_new ();
  self->wake_ms = -1;
  self->timers = g_ptr_array_new_with_free_func (g_free);
  self->source = g_source_new (&source_funcs, sizeof (NetSlirpSource));
  ((NetSlirpSource *) self->source)->owner = self;
  g_source_set_static_name (self->source, "hv-net slirp");
  self->slirp = create_slirp (config, self);
  if (self->slirp == NULL)
    {
      g_set_error_literal (error, NET_SLIRP_ERROR, NET_SLIRP_ERROR_FAILED,
                           _ ("Cannot start the virtual router of the network"));
      net_slirp_free (self);
      return NULL;
    }
  if (!add_forwards (self, config, error))
    {
      net_slirp_free (self);
      return NULL;
    }
  start_clock (self);
  g_source_attach (self->source, context);
  return self;
}

void
net_slirp_input (NetSlirp *self, const guint8 *frame, gsize len)
{
  if (!net_frame_is_valid_length (len))
    return;
  g_rec_mutex_lock (&self->lock);
  slirp_input (self->slirp, frame, len);
  /* What waited for this frame (an ARP reply, a TCP window) goes out in
   * slirp_pollfds_poll (): have it run soon, as a busy main loop would. */
  self->kicked = TRUE;
  g_rec_mutex_unlock (&self->lock);
  flush_output (self);
  wake_context (self);
}

void
net_slirp_free (NetSlirp *self)
{
  if (self == NULL)
    return;
  g_source_destroy (self->source);
  g_rec_mutex_lock (&self->lock);
  clear_pollfds (self);
  g_clear_pointer (&self->slirp, slirp_cleanup);
  g_rec_mutex_unlock (&self->lock);
  g_source_unref (self->source);
  g_queue_clear_full (&self->pending, (GDestroyNotify) g_bytes_unref);
  g_hash_table_unref (self->polled);
  g_ptr_array_unref (self->by_index);
  g_ptr_array_unref (self->timers);
  g_main_context_unref (self->context);
  g_rec_mutex_clear (&self->lock);
  g_free (self);
}
