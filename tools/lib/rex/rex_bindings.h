/* SPDX-License-Identifier: GPL-2.0 */
/* What bindgen turns into the module bindings of the crate rex. */
#include <linux/errno.h>
#include "rex_helpers.h"
