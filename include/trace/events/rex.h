/* SPDX-License-Identifier: GPL-2.0 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM rex

#if !defined(_TRACE_REX_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_REX_H

#include <linux/bpf.h>
#include <linux/rex.h>
#include <linux/tracepoint.h>

TRACE_DEFINE_ENUM(REX_ABORT_PANIC);
TRACE_DEFINE_ENUM(REX_ABORT_STACK);
TRACE_DEFINE_ENUM(REX_ABORT_TIMEOUT);
TRACE_DEFINE_ENUM(REX_ABORT_TRAP);

/*
 * rex_abort - a Rex program was left before it returned
 * @prog: the program
 * @reason: enum rex_abort_reason
 * @msg: the panic message, or where the program overflowed, trapped or was
 *       stopped
 * @released: number of resources released from the cleanup ledger
 */
TRACE_EVENT(rex_abort,

	TP_PROTO(const struct bpf_prog *prog, unsigned int reason, const char *msg,
		 unsigned int released),

	TP_ARGS(prog, reason, msg, released),

	TP_STRUCT__entry(
		__field(u32, prog_id)
		__array(char, name, BPF_OBJ_NAME_LEN)
		__field(unsigned int, reason)
		__field(unsigned int, released)
		__string(msg, msg)
	),

	TP_fast_assign(
		__entry->prog_id = prog->aux->id;
		memcpy(__entry->name, prog->aux->name, BPF_OBJ_NAME_LEN);
		__entry->reason = reason;
		__entry->released = released;
		__assign_str(msg);
	),

	TP_printk("prog_id=%u name=%s reason=%s released=%u msg=%s",
		  __entry->prog_id, __entry->name,
		  __print_symbolic(__entry->reason,
				   { REX_ABORT_PANIC, "panic" },
				   { REX_ABORT_STACK, "stack_overflow" },
				   { REX_ABORT_TIMEOUT, "timeout" },
				   { REX_ABORT_TRAP, "trap" }),
		  __entry->released, __get_str(msg))
);

#endif /* _TRACE_REX_H */

/* This part must be outside protection */
#include <trace/define_trace.h>
