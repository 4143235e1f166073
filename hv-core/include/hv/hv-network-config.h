/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#if !defined(HV_INSIDE) && !defined(HV_COMPILATION)
#error "Only <hv/hv.h> can be included directly."
#endif

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  HV_NETWORK_MODE_NAT,      /* guests reach the outside through the host */
  HV_NETWORK_MODE_ISOLATED, /* guests reach each other only */
} HvNetworkMode;

#define HV_TYPE_NETWORK_MODE (hv_network_mode_get_type ())
GType hv_network_mode_get_type (void) G_GNUC_CONST;

typedef struct
{
  char *protocol; /* "tcp" or "udp" */
  guint host_port;
  char *guest_address;
  guint guest_port;
} HvPortForward;

#define HV_TYPE_NETWORK_CONFIG (hv_network_config_get_type ())

/* One virtual network as networks/<name>.conf describes it (machine-conf.md). */
typedef struct
{
  char *name;
  HvNetworkMode mode;
  char *subnet;        /* "10.0.2.0/24"; NULL in a new config: the store picks a free one */
  char *dhcp_start;    /* NULL: .100 of the subnet */
  char *dhcp_end;      /* NULL: .199 of the subnet */
  GPtrArray *forwards; /* of HvPortForward */
} HvNetworkConfig;

GType hv_network_config_get_type (void) G_GNUC_CONST;

HvNetworkConfig *hv_network_config_new (const char *name, HvNetworkMode mode);
HvNetworkConfig *hv_network_config_copy (const HvNetworkConfig *config);
void hv_network_config_free (HvNetworkConfig *config);

const char *hv_network_mode_to_string (HvNetworkMode mode);
gboolean hv_network_mode_from_string (const char *text, HvNetworkMode *mode);

/* Parses an IPv4 "a.b.c.d/n" whose host bits are zero (n from 8 to 30). */
gboolean hv_subnet_parse (const char *text, guint32 *address, guint *prefix, GError **error);
/* Checks the name, subnet, DHCP range and forwards; fills in the DHCP range. */
gboolean hv_network_config_validate (HvNetworkConfig *config, GError **error);

HvNetworkConfig *hv_network_config_load_file (const char *filename, GError **error);
char *hv_network_config_to_data (const HvNetworkConfig *config);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HvNetworkConfig, hv_network_config_free)

G_END_DECLS
