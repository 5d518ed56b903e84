/* Shared declarations of the tsvm KVM addon: handles, argument checks, errors, trace. */
#ifndef TSVM_KVM_COMMON_H
#define TSVM_KVM_COMMON_H

#define NAPI_VERSION 8
#include <node_api.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/kvm.h>
#include <time.h>

/* A shared mapping (guest RAM or a vCPU's kvm_run area) with an owner count:
 * unmapped only when the last owner (an ArrayBuffer finalizer or a vCPU) lets go. */
typedef struct mapping {
  void *addr;
  size_t len;
  int owners;
} mapping;

void mapping_release(mapping *m);

/* A file-descriptor handle for /dev/kvm or a VM. */
typedef struct fd_handle {
  int fd;
  const char *kind; /* "KVM system" or "VM" */
} fd_handle;

typedef struct trace_entry {
  const char *ioctl;
  uint32_t nmsrs;
  uint32_t *msrs;        /* indices in batch order (KVM_SET_MSRS only) */
  bool has_tsc;
  uint64_t tsc;          /* value written to IA32_TSC, when the batch has it */
  bool has_flags;
  uint32_t flags;        /* kvm_vcpu_events.flags, or kvm_mp_state.mp_state */
} trace_entry;

typedef struct trace_log {
  bool enabled;
  size_t len, cap;
  trace_entry *entries;
} trace_log;

typedef struct vcpu_handle {
  int fd;
  uint32_t id;
  mapping *run_map;
  struct kvm_run *run;
  bool timer_created;
  timer_t timer;
  pid_t timer_tid;
  bool armed;
  trace_log trace;
} vcpu_handle;

extern const napi_type_tag FD_TAG;
extern const napi_type_tag VCPU_TAG;

/* Errors: every failure becomes a JS Error naming the ioctl and errno. Return NULL. */
napi_value throw_errno(napi_env env, const char *op, int err, const char *detail);
napi_value throw_type(napi_env env, const char *op, const char *fmt, ...);
napi_value throw_range(napi_env env, const char *op, const char *fmt, ...);
/* Short MSR batch: names the first MSR the kernel refused. */
napi_value throw_msr(napi_env env, const char *op, uint32_t index, uint32_t position, uint32_t count);

/* Argument checks: return false (with a pending JS exception) on bad input. */
bool args(napi_env env, napi_callback_info info, const char *op, size_t want, napi_value *argv);
bool arg_u32(napi_env env, napi_value v, const char *op, const char *what, uint32_t *out);
bool arg_i32(napi_env env, napi_value v, const char *op, const char *what, int32_t *out);
bool arg_u64(napi_env env, napi_value v, const char *op, const char *what, uint64_t *out);
bool arg_bool(napi_env env, napi_value v, const char *op, const char *what, bool *out);
bool arg_fd(napi_env env, napi_value v, const char *op, const char *kind, fd_handle **out);
bool arg_vcpu(napi_env env, napi_value v, const char *op, vcpu_handle **out);
bool arg_bytes(napi_env env, napi_value v, const char *op, const char *what, size_t want, uint8_t **out);

napi_value make_u32(napi_env env, uint32_t v);
napi_value make_i32(napi_env env, int32_t v);
napi_value make_bytes(napi_env env, const void *src, size_t len);
napi_value undefined(napi_env env);

/* Trace of set-ioctls (off by default). */
void trace_record(trace_log *t, const char *ioctl, const uint32_t *msrs, uint32_t nmsrs, const uint64_t *values,
                  bool has_flags, uint32_t flags);
void trace_clear(trace_log *t);
napi_value trace_take(napi_env env, trace_log *t);

void register_vcpu_functions(napi_env env, napi_value exports);

#define EXPORT_FN(env, exports, name, fn)                                           \
  do {                                                                              \
    napi_value f_;                                                                  \
    napi_create_function(env, name, NAPI_AUTO_LENGTH, fn, NULL, &f_);               \
    napi_set_named_property(env, exports, name, f_);                                \
  } while (0)

#endif
