/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the embedded back end's tests share: a store of their own and
 * machines in it that boot the test guest. Header-only. */
#pragma once

#include <hv/hv.h>

/* A store under a new scratch directory, returned in ROOT: machines in
 * ROOT/data/hangar, running guests in ROOT/run/hangar/vms. */
static G_GNUC_UNUSED HvStore *
scratch_store (const char *template, char **root)
{
  g_autofree char *data_dir = NULL;
  g_autofree char *vms = NULL;
  g_autoptr (HvRuntime) runtime = NULL;

  *root = g_dir_make_tmp (template, NULL);
  g_assert_nonnull (*root);
  data_dir = g_build_filename (*root, "data", "hangar", NULL);
  vms = g_build_filename (*root, "run", "hangar", "vms", NULL);
  runtime = hv_runtime_new_for_directory (vms);
  return hv_store_new_for_directory (data_dir, runtime);
}

/* Machine NAME with CPUS vCPUs and 64 MiB that boots the test guest
 * ($HANGAR_TEST_KERNEL), with a 1 MiB disk and a user-mode NIC. */
static G_GNUC_UNUSED void
define_test_machine (HvStore *store, const char *name, guint cpus)
{
  g_autoptr (HvMachineConfig) config = hv_machine_config_new (name);
  g_autoptr (GError) error = NULL;

  config->cpus = cpus;
  config->memory_mib = 64;
  config->kernel = g_strdup (g_getenv ("HANGAR_TEST_KERNEL"));
  hv_machine_config_add_disk (config, NULL, 1 << 20, FALSE);
  hv_machine_config_add_nic (config, HV_NIC_MODE_USER, NULL);
  g_assert_true (hv_store_create_machine (store, config, NULL, &error));
  g_assert_no_error (error);
}
