/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "hangar-libvirt-xml.h"

#define LIBOSINFO_NS "http://libosinfo.org/xmlns/libvirt/domain/1.0"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlDoc, xmlFreeDoc)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlXPathContext, xmlXPathFreeContext)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlXPathObject, xmlXPathFreeObject)

static xmlDoc *
parse_domain (const char *xml, GError **error)
{
  xmlDoc *doc = xmlReadMemory (xml, strlen (xml), "domain.xml", NULL,
                               XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  xmlNode *root = doc != NULL ? xmlDocGetRootElement (doc) : NULL;

  if (root == NULL || !xmlStrEqual (root->name, BAD_CAST "domain"))
    {
      g_clear_pointer (&doc, xmlFreeDoc);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _ ("libvirt gave a machine description that Hangar cannot read."));
    }
  return doc;
}

/* The string value of an XPath expression, or NULL when it is empty. */
static char *
xpath_string (xmlXPathContext *ctx, xmlNode *node, const char *expr)
{
  g_autoptr (xmlXPathObject) obj = NULL;
  xmlChar *text;
  char *result = NULL;

  ctx->node = node;
  obj = xmlXPathEvalExpression (BAD_CAST expr, ctx);
  if (obj == NULL)
    return NULL;
  text = xmlXPathCastToString (obj);
  if (text != NULL && *text != '\0')
    result = g_strdup ((const char *) text);
  xmlFree (text);
  return result;
}

static guint64
memory_to_mib (const char *value, const char *unit)
{
  guint64 amount = g_ascii_strtoull (value, NULL, 10);
  static const struct
  {
    const char *unit;
    guint64 bytes;
  } units[] = {
    { "b", 1 },
    { "bytes", 1 },
    { "KB", 1000 },
    { "k", 1024 },
    { "KiB", 1024 },
    { "MB", 1000 * 1000 },
    { "M", 1024 * 1024 },
    { "MiB", 1024 * 1024 },
    { "GB", 1000 * 1000 * 1000 },
    { "G", 1024 * 1024 * 1024 },
    { "GiB", 1024 * 1024 * 1024 },
  };

  if (unit == NULL)
    return amount / 1024; /* libvirt's default unit is KiB */
  for (guint i = 0; i < G_N_ELEMENTS (units); i++)
    {
      if (g_ascii_strcasecmp (unit, units[i].unit) == 0 && strlen (unit) == strlen (units[i].unit))
        return amount * units[i].bytes / (1024 * 1024);
    }
  return amount / 1024;
}

static void
read_disks (xmlXPathContext *ctx, HangarMachineSpec *spec)
{
  g_autoptr (xmlXPathObject) disks = NULL;

  ctx->node = xmlDocGetRootElement (ctx->doc);
  disks = xmlXPathEvalExpression (BAD_CAST "/domain/devices/disk", ctx);
  if (disks == NULL || disks->nodesetval == NULL)
    return;

  for (int i = 0; i < disks->nodesetval->nodeNr; i++)
    {
      xmlNode *disk = disks->nodesetval->nodeTab[i];
      g_autofree char *device = xpath_string (ctx, disk, "string(@device)");
      g_autofree char *path = xpath_string (ctx, disk, "string(source/@file | source/@dev)");
      g_autofree char *volume =
          xpath_string (ctx, disk, "concat(source/@pool, '/', source/@volume)");
      g_autofree char *readonly = xpath_string (ctx, disk, "string(boolean(readonly))");
      gboolean cdrom = g_strcmp0 (device, "cdrom") == 0;

      if (path == NULL && g_strcmp0 (volume, "/") != 0)
        path = g_steal_pointer (&volume);
      hangar_machine_spec_add_disk (spec, path, 0, cdrom || g_strcmp0 (readonly, "true") == 0,
                                    cdrom);
    }
}

static void
read_nics (xmlXPathContext *ctx, HangarMachineSpec *spec)
{
  g_autoptr (xmlXPathObject) nics = NULL;

  ctx->node = xmlDocGetRootElement (ctx->doc);
  nics = xmlXPathEvalExpression (BAD_CAST "/domain/devices/interface", ctx);
  if (nics == NULL || nics->nodesetval == NULL)
    return;

  for (int i = 0; i < nics->nodesetval->nodeNr; i++)
    {
      xmlNode *nic = nics->nodesetval->nodeTab[i];
      g_autofree char *type = xpath_string (ctx, nic, "string(@type)");
      g_autofree char *mac = xpath_string (ctx, nic, "string(mac/@address)");
      g_autofree char *source = NULL;
      HangarNetworkMode mode;

      if (g_strcmp0 (type, "network") == 0)
        {
          /* Whether the network routes out is the network's business: the
           * connection refines NAT into isolated where it has no forward. */
          mode = HANGAR_NETWORK_NAT;
          source = xpath_string (ctx, nic, "string(source/@network)");
        }
      else if (g_strcmp0 (type, "bridge") == 0)
        {
          mode = HANGAR_NETWORK_BRIDGE;
          source = xpath_string (ctx, nic, "string(source/@bridge)");
        }
      else if (g_strcmp0 (type, "user") == 0)
        mode = HANGAR_NETWORK_USER;
      else
        {
          mode = HANGAR_NETWORK_BRIDGE;
          source = xpath_string (ctx, nic, "string(source/@dev)");
        }
      hangar_machine_spec_add_nic (spec, mode, source, mac);
    }
}

HangarMachineSpec *
hangar_libvirt_xml_to_spec (const char *xml, GError **error)
{
  g_autoptr (xmlDoc) doc = NULL;
  g_autoptr (xmlXPathContext) ctx = NULL;
  g_autoptr (HangarMachineSpec) spec = NULL;
  g_autofree char *memory = NULL;
  g_autofree char *unit = NULL;
  g_autofree char *vcpus = NULL;
  g_autofree char *graphics = NULL;
  xmlNode *root;

  doc = parse_domain (xml, error);
  if (doc == NULL)
    return NULL;

  root = xmlDocGetRootElement (doc);
  ctx = xmlXPathNewContext (doc);
  xmlXPathRegisterNs (ctx, BAD_CAST "libosinfo", BAD_CAST LIBOSINFO_NS);

  spec = hangar_machine_spec_new ();
  spec->name = xpath_string (ctx, root, "string(/domain/name)");
  spec->os_id =
      xpath_string (ctx, root, "string(/domain/metadata/libosinfo:libosinfo/libosinfo:os/@id)");
  memory = xpath_string (ctx, root, "string(/domain/memory)");
  unit = xpath_string (ctx, root, "string(/domain/memory/@unit)");
  spec->memory_mib = memory != NULL ? memory_to_mib (memory, unit) : 0;
  vcpus = xpath_string (ctx, root, "string(/domain/vcpu)");
  spec->cpus = vcpus != NULL ? (guint) g_ascii_strtoull (vcpus, NULL, 10) : 1;
  spec->kernel = xpath_string (ctx, root, "string(/domain/os/kernel)");
  spec->initrd = xpath_string (ctx, root, "string(/domain/os/initrd)");
  spec->cmdline = xpath_string (ctx, root, "string(/domain/os/cmdline)");
  graphics = xpath_string (ctx, root, "string(boolean(/domain/devices/graphics))");
  spec->graphics = g_strcmp0 (graphics, "true") == 0;

  read_disks (ctx, spec);
  read_nics (ctx, spec);
  return g_steal_pointer (&spec);
}

static gboolean
is_any_or_loopback (const char *address)
{
  static const char *const local[] = { "0.0.0.0", "::", "127.0.0.1", "::1", "localhost", NULL };

  return address == NULL || g_strv_contains (local, address);
}

gboolean
hangar_libvirt_xml_spice_address (const char *xml, char **host, guint *port, GError **error)
{
  g_autoptr (xmlDoc) doc = NULL;
  g_autoptr (xmlXPathContext) ctx = NULL;
  g_autofree char *port_text = NULL;
  g_autofree char *address = NULL;
  guint64 number = 0;

  doc = parse_domain (xml, error);
  if (doc == NULL)
    return FALSE;
  ctx = xmlXPathNewContext (doc);
  port_text = xpath_string (ctx, xmlDocGetRootElement (doc),
                            "string(/domain/devices/graphics[@type='spice'][1]/@port)");
  address = xpath_string (ctx, xmlDocGetRootElement (doc),
                          "string(/domain/devices/graphics[@type='spice'][1]"
                          "/listen[@type='address'][1]/@address"
                          " | /domain/devices/graphics[@type='spice'][1]/@listen)");
  if (port_text == NULL || !g_ascii_string_to_unsigned (port_text, 10, 1, 65535, &number, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _ ("The machine’s display does not listen on a network port, so Hangar "
                      "cannot reach it from this computer. Give it a SPICE display with a port "
                      "in its libvirt settings, or open it on its host."));
      return FALSE;
    }
  *host = g_strdup (is_any_or_loopback (address) ? "localhost" : address);
  *port = (guint) number;
  return TRUE;
}

static void append_escaped (GString *xml, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
append_escaped (GString *xml, const char *format, ...)
{
  va_list args;
  g_autofree char *text = NULL;

  va_start (args, format);
  text = g_markup_vprintf_escaped (format, args);
  va_end (args);
  g_string_append (xml, text);
}

static gboolean
is_block_device (const char *path)
{
  return g_str_has_prefix (path, "/dev/");
}

static void
append_disk (GString *xml, const HangarDiskSpec *disk, guint *n_disks, guint *n_cdroms)
{
  const char *type = is_block_device (disk->path) ? "block" : "file";
  const char *attr = is_block_device (disk->path) ? "dev" : "file";
  const char *format = g_str_has_suffix (disk->path, ".qcow2") ? "qcow2" : "raw";

  append_escaped (xml, "    <disk type='%s' device='%s'>\n", type, disk->cdrom ? "cdrom" : "disk");
  append_escaped (xml, "      <driver name='qemu' type='%s'/>\n", disk->cdrom ? "raw" : format);
  append_escaped (xml, "      <source %s='%s'/>\n", attr, disk->path);
  if (disk->cdrom)
    append_escaped (xml, "      <target dev='sd%c' bus='sata'/>\n", 'a' + (*n_cdroms)++);
  else
    append_escaped (xml, "      <target dev='vd%c' bus='virtio'/>\n", 'a' + (*n_disks)++);
  if (disk->readonly || disk->cdrom)
    g_string_append (xml, "      <readonly/>\n");
  g_string_append (xml, "    </disk>\n");
}

static void
append_nic (GString *xml, const HangarNicSpec *nic)
{
  g_autofree char *mac = nic->mac != NULL ? g_strdup (nic->mac) : hangar_libvirt_random_mac ();

  switch (nic->mode)
    {
      case HANGAR_NETWORK_NONE:
        return;
      case HANGAR_NETWORK_NAT:
      case HANGAR_NETWORK_ISOLATED:
        g_string_append (xml, "    <interface type='network'>\n");
        append_escaped (xml, "      <source network='%s'/>\n",
                        nic->source != NULL ? nic->source : "default");
        break;
      case HANGAR_NETWORK_BRIDGE:
        g_string_append (xml, "    <interface type='bridge'>\n");
        append_escaped (xml, "      <source bridge='%s'/>\n", nic->source);
        break;
      case HANGAR_NETWORK_USER:
        g_string_append (xml, "    <interface type='user'>\n");
        break;
      default:
        g_return_if_reached ();
    }
  append_escaped (xml, "      <mac address='%s'/>\n", mac);
  g_string_append (xml, "      <model type='virtio'/>\n"
                        "    </interface>\n");
}

static void
append_os (GString *xml, const HangarMachineSpec *spec)
{
  gboolean has_cdrom = FALSE;

  for (guint i = 0; i < spec->disks->len; i++)
    has_cdrom |= ((HangarDiskSpec *) g_ptr_array_index (spec->disks, i))->cdrom;

  g_string_append (xml, "  <os>\n"
                        "    <type arch='x86_64'>hvm</type>\n");
  if (spec->kernel != NULL)
    {
      append_escaped (xml, "    <kernel>%s</kernel>\n", spec->kernel);
      if (spec->initrd != NULL)
        append_escaped (xml, "    <initrd>%s</initrd>\n", spec->initrd);
      if (spec->cmdline != NULL)
        append_escaped (xml, "    <cmdline>%s</cmdline>\n", spec->cmdline);
    }
  if (has_cdrom)
    g_string_append (xml, "    <boot dev='cdrom'/>\n");
  g_string_append (xml, "    <boot dev='hd'/>\n"
                        "  </os>\n");
}

static void
append_devices (GString *xml, const HangarMachineSpec *spec)
{
  guint n_disks = 0, n_cdroms = 0;

  g_string_append (xml, "  <devices>\n");
  for (guint i = 0; i < spec->disks->len; i++)
    append_disk (xml, g_ptr_array_index (spec->disks, i), &n_disks, &n_cdroms);
  for (guint i = 0; i < spec->nics->len; i++)
    append_nic (xml, g_ptr_array_index (spec->nics, i));
  g_string_append (xml, "    <serial type='pty'>\n"
                        "      <target port='0'/>\n"
                        "    </serial>\n"
                        "    <console type='pty'>\n"
                        "      <target type='serial' port='0'/>\n"
                        "    </console>\n");
  if (spec->graphics)
    g_string_append (xml, "    <graphics type='spice' autoport='yes'>\n"
                          "      <listen type='address' address='127.0.0.1'/>\n"
                          "    </graphics>\n"
                          "    <video>\n"
                          "      <model type='virtio'/>\n"
                          "    </video>\n"
                          "    <input type='tablet' bus='usb'/>\n"
                          "    <channel type='spicevmc'>\n"
                          "      <target type='virtio' name='com.redhat.spice.0'/>\n"
                          "    </channel>\n");
  g_string_append (xml, "  </devices>\n");
}

char *
hangar_libvirt_xml_from_spec (const HangarMachineSpec *spec, const char *domain_type)
{
  GString *xml = g_string_new (NULL);

  g_return_val_if_fail (spec != NULL && spec->name != NULL, NULL);

  append_escaped (xml, "<domain type='%s'>\n", domain_type);
  append_escaped (xml, "  <name>%s</name>\n", spec->name);
  if (spec->os_id != NULL)
    append_escaped (xml,
                    "  <metadata>\n"
                    "    <libosinfo:libosinfo xmlns:libosinfo='" LIBOSINFO_NS "'>\n"
                    "      <libosinfo:os id='%s'/>\n"
                    "    </libosinfo:libosinfo>\n"
                    "  </metadata>\n",
                    spec->os_id);
  g_string_append_printf (xml, "  <memory unit='MiB'>%" G_GUINT64_FORMAT "</memory>\n",
                          spec->memory_mib);
  g_string_append_printf (
      xml, "  <currentMemory unit='MiB'>%" G_GUINT64_FORMAT "</currentMemory>\n", spec->memory_mib);
  g_string_append_printf (xml, "  <vcpu>%u</vcpu>\n", spec->cpus);
  append_os (xml, spec);
  g_string_append (xml, "  <features>\n"
                        "    <acpi/>\n"
                        "    <apic/>\n"
                        "  </features>\n");
  if (g_strcmp0 (domain_type, "kvm") == 0)
    g_string_append (xml, "  <cpu mode='host-passthrough'/>\n");
  g_string_append (xml, "  <clock offset='utc'/>\n"
                        "  <on_poweroff>destroy</on_poweroff>\n"
                        "  <on_reboot>restart</on_reboot>\n"
                        "  <on_crash>destroy</on_crash>\n");
  append_devices (xml, spec);
  g_string_append (xml, "</domain>\n");
  return g_string_free (xml, FALSE);
}

char *
hangar_libvirt_random_mac (void)
{
  return g_strdup_printf ("52:54:00:%02x:%02x:%02x", g_random_int_range (0, 256),
                          g_random_int_range (0, 256), g_random_int_range (0, 256));
}

static void
set_child_text (xmlNode *parent, const char *name, const char *text)
{
  for (xmlNode *child = parent->children; child != NULL; child = child->next)
    {
      if (child->type == XML_ELEMENT_NODE && xmlStrEqual (child->name, BAD_CAST name))
        {
          xmlNodeSetContent (child, NULL);
          xmlNodeAddContent (child, BAD_CAST text);
          return;
        }
    }
  xmlNewTextChild (parent, NULL, BAD_CAST name, BAD_CAST text);
}

static void
remove_children_named (xmlNode *parent, const char *name)
{
  xmlNode *child = parent->children;

  while (child != NULL)
    {
      xmlNode *next = child->next;

      if (child->type == XML_ELEMENT_NODE && xmlStrEqual (child->name, BAD_CAST name))
        {
          xmlUnlinkNode (child);
          xmlFreeNode (child);
        }
      child = next;
    }
}

static xmlXPathObject *
find_nodes (xmlDoc *doc, const char *expr)
{
  g_autoptr (xmlXPathContext) ctx = xmlXPathNewContext (doc);

  return xmlXPathEvalExpression (BAD_CAST expr, ctx);
}

static void
renew_macs (xmlDoc *doc)
{
  g_autoptr (xmlXPathObject) macs = find_nodes (doc, "/domain/devices/interface/mac");

  for (int i = 0; macs != NULL && macs->nodesetval != NULL && i < macs->nodesetval->nodeNr; i++)
    {
      g_autofree char *mac = hangar_libvirt_random_mac ();
      xmlSetProp (macs->nodesetval->nodeTab[i], BAD_CAST "address", BAD_CAST mac);
    }
}

static void
move_disks (xmlDoc *doc, const char *const *new_disk_paths)
{
  g_autoptr (xmlXPathObject) sources = find_nodes (
      doc, "/domain/devices/disk[@device='disk' and not(readonly) and not(shareable)]/source");
  guint next = 0;

  for (int i = 0; sources != NULL && sources->nodesetval != NULL && i < sources->nodesetval->nodeNr;
       i++)
    {
      xmlNode *source = sources->nodesetval->nodeTab[i];
      const char *path;

      if (new_disk_paths == NULL || new_disk_paths[next] == NULL)
        break;
      path = new_disk_paths[next++];
      if (*path == '\0')
        continue;
      if (xmlHasProp (source, BAD_CAST "dev"))
        {
          xmlSetProp (source, BAD_CAST "dev", BAD_CAST path);
          continue;
        }
      /* A disk from a storage pool becomes a plain file disk: the copy is a
       * file, whether or not a pool lists it. */
      xmlUnsetProp (source, BAD_CAST "pool");
      xmlUnsetProp (source, BAD_CAST "volume");
      xmlSetProp (source->parent, BAD_CAST "type", BAD_CAST "file");
      xmlSetProp (source, BAD_CAST "file", BAD_CAST path);
    }
}

char *
hangar_libvirt_xml_for_clone (const char *xml, const char *new_name,
                              const char *const *new_disk_paths, GError **error)
{
  g_autoptr (xmlDoc) doc = NULL;
  xmlNode *root;
  xmlChar *text = NULL;
  int len = 0;
  char *result;

  doc = parse_domain (xml, error);
  if (doc == NULL)
    return NULL;

  root = xmlDocGetRootElement (doc);
  set_child_text (root, "name", new_name);
  remove_children_named (root, "uuid");
  renew_macs (doc);
  move_disks (doc, new_disk_paths);

  xmlDocDumpFormatMemory (doc, &text, &len, 0);
  result = g_strndup ((const char *) text, len);
  xmlFree (text);
  return result;
}

static void
remove_nodes (xmlDoc *doc, const char *expr)
{
  g_autoptr (GPtrArray) doomed = g_ptr_array_new_with_free_func ((GDestroyNotify) xmlFreeNode);

  /* The node set must be gone before its nodes are: freeing it reads them. */
  {
    g_autoptr (xmlXPathObject) nodes = find_nodes (doc, expr);

    for (int i = 0; nodes != NULL && nodes->nodesetval != NULL && i < nodes->nodesetval->nodeNr;
         i++)
      g_ptr_array_add (doomed, nodes->nodesetval->nodeTab[i]);
  }
  for (guint i = 0; i < doomed->len; i++)
    xmlUnlinkNode (g_ptr_array_index (doomed, i));
}

/* Moves the disks and NICs that SPEC describes into DOC's devices, in the form
 * hangar_libvirt_xml_from_spec () writes them. */
static gboolean
import_devices (xmlDoc *doc, const HangarMachineSpec *spec, GError **error)
{
  g_autofree char *generated_xml = hangar_libvirt_xml_from_spec (spec, "kvm");
  g_autoptr (xmlDoc) generated = parse_domain (generated_xml, error);
  g_autoptr (xmlXPathObject) devices = NULL;
  g_autoptr (xmlXPathObject) target = find_nodes (doc, "/domain/devices");
  xmlNode *target_devices;
  xmlNode *first;

  if (generated == NULL)
    return FALSE;
  if (target == NULL || target->nodesetval == NULL || target->nodesetval->nodeNr == 0)
    {
      target_devices = xmlNewChild (xmlDocGetRootElement (doc), NULL, BAD_CAST "devices", NULL);
    }
  else
    target_devices = target->nodesetval->nodeTab[0];

  devices = find_nodes (generated, "/domain/devices/disk | /domain/devices/interface");
  first = target_devices->children;
  for (int i = 0; devices != NULL && devices->nodesetval != NULL && i < devices->nodesetval->nodeNr;
       i++)
    {
      xmlNode *copy = xmlDocCopyNode (devices->nodesetval->nodeTab[i], doc, 1);

      if (first != NULL)
        xmlAddPrevSibling (first, copy);
      else
        xmlAddChild (target_devices, copy);
    }
  return TRUE;
}

char *
hangar_libvirt_xml_update (const char *xml, const HangarMachineSpec *spec, GError **error)
{
  g_autoptr (xmlDoc) doc = NULL;
  g_autofree char *memory = NULL;
  g_autofree char *cpus = NULL;
  xmlNode *root;
  xmlChar *text = NULL;
  int len = 0;
  char *result;

  doc = parse_domain (xml, error);
  if (doc == NULL)
    return NULL;

  root = xmlDocGetRootElement (doc);
  memory = g_strdup_printf ("%" G_GUINT64_FORMAT, spec->memory_mib);
  cpus = g_strdup_printf ("%u", spec->cpus);
  remove_children_named (root, "memory");
  remove_children_named (root, "currentMemory");
  xmlSetProp (xmlNewTextChild (root, NULL, BAD_CAST "memory", BAD_CAST memory), BAD_CAST "unit",
              BAD_CAST "MiB");
  xmlSetProp (xmlNewTextChild (root, NULL, BAD_CAST "currentMemory", BAD_CAST memory),
              BAD_CAST "unit", BAD_CAST "MiB");
  set_child_text (root, "vcpu", cpus);

  remove_nodes (doc, "/domain/devices/disk[@device='disk' or @device='cdrom']");
  remove_nodes (doc, "/domain/devices/interface");
  if (!import_devices (doc, spec, error))
    return NULL;

  xmlDocDumpFormatMemory (doc, &text, &len, 0);
  result = g_strndup ((const char *) text, len);
  xmlFree (text);
  return result;
}
