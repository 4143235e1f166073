/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A libslirp instance driven by a GMainContext: the router, DHCP and DNS
 * server of one network segment. hv-net puts one on its switch (nat mode);
 * hv-vmm's `user` back end gives one to a single guest.
 */
#pragma once

#include <glib.h>
#include <netinet/in.h>

G_BEGIN_DECLS

/* A domain of its own, not GIO's: hv-vmm and hv-net, which link this, link no GIO. */
#define NET_SLIRP_ERROR (net_slirp_error_quark ())
GQuark net_slirp_error_quark (void);

typedef enum
{
  NET_SLIRP_ERROR_FAILED,
  NET_SLIRP_ERROR_INVALID_ARGUMENT, /* a bad subnet, address or forward */
  NET_SLIRP_ERROR_ADDRESS_IN_USE,   /* a forward's host port */
} NetSlirpError;

typedef struct
{
  gboolean udp;
  struct in_addr host_address; /* where the host listens */
  guint16 host_port;
  struct in_addr guest_address; /* 0: the first DHCP address */
  guint16 guest_port;
} NetForward;

typedef struct
{
  struct in_addr network;    /* e.g. 10.0.2.0 */
  guint prefix_len;          /* e.g. 24 */
  struct in_addr router;     /* .2: the gateway, and the host's loopback to guests */
  struct in_addr dns;        /* .3 */
  struct in_addr dhcp_start; /* .15: libslirp hands out 16 leases from here */
  GArray *forwards;          /* NetForward */
} NetSlirpConfig;

/* Fills CONFIG for SUBNET ("10.0.2.0/24"; NULL for that default) and
 * DHCP_START (NULL for host .15), with no forwards. */
gboolean net_slirp_config_init (NetSlirpConfig *config, const char *subnet, const char *dhcp_start,
                                GError **error);
/* Adds a forward from SPEC: "tcp:HOSTADDR:HOSTPORT-GUESTADDR:GUESTPORT"
 * (udp: likewise; HOSTADDR empty: 127.0.0.1; GUESTADDR empty: the first
 * DHCP address), e.g. "tcp:127.0.0.1:2222-:22". */
gboolean net_slirp_config_add_forward (NetSlirpConfig *config, const char *spec, GError **error);
void net_slirp_config_clear (NetSlirpConfig *config);

typedef struct NetSlirp NetSlirp;

/* Called with each frame the router sends to the segment. */
typedef void (*NetSlirpOutputFunc) (const guint8 *frame, gsize len, gpointer user_data);

/* The router runs in CONTEXT (NULL: the default one). */
NetSlirp *net_slirp_new (const NetSlirpConfig *config, GMainContext *context,
                         NetSlirpOutputFunc output, gpointer user_data, GError **error);
/* A frame from the segment to the router. Any thread may call it. */
void net_slirp_input (NetSlirp *self, const guint8 *frame, gsize len);
void net_slirp_free (NetSlirp *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NetSlirp, net_slirp_free)

G_END_DECLS
