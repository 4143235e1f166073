/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The host's fitness for running virtual machines, checked one requirement at
 * a time, each with an explanation for people learning what it means.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  HANGAR_CHECK_OK,
  HANGAR_CHECK_WARNING,
  HANGAR_CHECK_FAILED,
} HangarCheckStatus;

typedef struct
{
  char *title; /* "Processor cores" */
  char *value; /* what was found: "8 cores" */
  char *explanation;
  HangarCheckStatus status;
} HangarHostCheck;

/* Where the checks read the host's facts: the real files by default; tests
 * point these at files of their own. */
typedef struct
{
  const char *cpuinfo_path; /* /proc/cpuinfo */
  const char *meminfo_path; /* /proc/meminfo */
  const char *kvm_path;     /* /dev/kvm */
  const char *nested_path;  /* /sys/module/kvm_intel/parameters/nested or kvm_amd's */
  const char *storage_path; /* where machines' disks go */
  const char *machine;      /* uname's machine: "x86_64", "i686" */
} HangarHostSources;

void hangar_host_sources_init_default (HangarHostSources *sources);

/* A GPtrArray of HangarHostCheck, in the order they are shown. */
GPtrArray *hangar_host_check_all (const HangarHostSources *sources);

/* Facts the wizard and the resource checks use. */
guint hangar_host_count_cpus (const char *cpuinfo_path);
guint64 hangar_host_memory_mib (const char *meminfo_path);

/* The host's network bridges: the interfaces under SYS_CLASS_NET
 * ("/sys/class/net") that have a "bridge" directory, sorted. */
GStrv hangar_host_list_bridges (const char *sys_class_net);

/* Free bytes on the file system that holds PATH, or would hold it (its
 * nearest existing parent); 0 when that cannot be read. */
guint64 hangar_host_free_bytes (const char *path);

/* NULL, or a warning for people that a machine with CPUS and MEMORY_MIB,
 * running beside machines that already use RUNNING_CPUS and RUNNING_MIB,
 * asks for more than the host has. */
char *hangar_host_describe_overcommit (guint host_cpus, guint64 host_mib, guint running_cpus,
                                       guint64 running_mib, guint cpus, guint64 memory_mib);

G_END_DECLS
