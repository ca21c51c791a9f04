/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the panic test programs and rex_panic_test share.
 */
#ifndef __REX_PANIC_COMMON_H
#define __REX_PANIC_COMMON_H

#define REX_PANIC_RB_SIZE	4096
#define REX_PANIC_MAX_RECS	24

enum {
	REX_PANIC,	/* panic while holding the records */
	REX_SUBMIT,	/* submit the records */
	REX_LEAK,	/* return while holding the records */
};

#endif /* __REX_PANIC_COMMON_H */
