/* vCPU ioctls: run with a deadline timer, state get/set, MSR batches, CPUID, interrupts, trace. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common.h"

/* Deadline kick: a per-vCPU POSIX timer sends this signal to the thread in KVM_RUN. The handler
 * (installed without SA_RESTART) sets immediate_exit, so KVM_RUN returns EINTR now and also if the
 * signal lands just before entry — no lost wake-ups. */
#define KICK_SIGNAL (SIGRTMIN + 6)
static __thread struct kvm_run *volatile kick_target;
static bool kick_installed;

static void on_kick(int sig) {
  struct kvm_run *r = kick_target;
  if (r) r->immediate_exit = 1;
}

static bool install_kick(napi_env env, const char *op) {
  if (kick_installed) return true;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_kick;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0; /* no SA_RESTART: KVM_RUN must return EINTR */
  if (sigaction(KICK_SIGNAL, &sa, NULL) < 0) {
    throw_errno(env, op, errno, "sigaction");
    return false;
  }
  kick_installed = true;
  return true;
}

static void vcpu_close(vcpu_handle *h) {
  if (h->fd < 0) return;
  if (h->armed) {
    struct itimerspec off = {0};
    timer_settime(h->timer, 0, &off, NULL);
    kick_target = NULL;
    h->armed = false;
  }
  if (h->timer_created) timer_delete(h->timer);
  h->timer_created = false;
  close(h->fd);
  h->fd = -1;
  mapping_release(h->run_map); /* the run area stays mapped while JS still holds its ArrayBuffer */
  h->run_map = NULL;
  h->run = NULL;
  trace_clear(&h->trace);
}

static void finalize_vcpu(napi_env env, void *data, void *hint) {
  vcpu_handle *h = data;
  vcpu_close(h);
  free(h->trace.entries);
  free(h);
}

static void finalize_run_area(napi_env env, void *data, void *hint) { mapping_release(hint); }

/* createVcpu(vm, id, mmapSize) → { handle, run: ArrayBuffer over struct kvm_run } */
static napi_value create_vcpu(napi_env env, napi_callback_info info) {
  const char *op = "KVM_CREATE_VCPU";
  napi_value argv[3];
  fd_handle *vm;
  uint32_t id, size;
  if (!args(env, info, op, 3, argv) || !arg_fd(env, argv[0], op, "VM", &vm) || !arg_u32(env, argv[1], op, "id", &id) ||
      !arg_u32(env, argv[2], op, "mmap size", &size))
    return NULL;
  if (size < sizeof(struct kvm_run) || size > (1u << 20))
    return throw_range(env, op, "mmap size %u is not a plausible KVM_GET_VCPU_MMAP_SIZE", size);
  int fd = ioctl(vm->fd, KVM_CREATE_VCPU, (unsigned long)id);
  if (fd < 0) return throw_errno(env, op, errno, NULL);
  fcntl(fd, F_SETFD, FD_CLOEXEC);
  void *run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (run == MAP_FAILED) {
    int err = errno;
    close(fd);
    return throw_errno(env, "mmap", err, "vCPU run area");
  }
  mapping *m = malloc(sizeof *m);
  vcpu_handle *h = calloc(1, sizeof *h);
  if (!m || !h) {
    free(m);
    free(h);
    munmap(run, size);
    close(fd);
    return throw_errno(env, op, ENOMEM, NULL);
  }
  *m = (mapping){.addr = run, .len = size, .owners = 2};
  h->fd = fd;
  h->id = id;
  h->run_map = m;
  h->run = run;
  napi_value ext, ab, result;
  napi_create_external(env, h, finalize_vcpu, NULL, &ext);
  napi_type_tag_object(env, ext, &VCPU_TAG);
  if (napi_create_external_arraybuffer(env, run, size, finalize_run_area, m, &ab) != napi_ok) {
    m->owners--;
    napi_create_arraybuffer(env, 0, NULL, &ab);
  }
  napi_create_object(env, &result);
  napi_set_named_property(env, result, "handle", ext);
  napi_set_named_property(env, result, "run", ab);
  return result;
}

static napi_value close_vcpu(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!args(env, info, "closeVcpu", 1, argv)) return NULL;
  void *p;
  bool ok = false;
  napi_valuetype t;
  napi_typeof(env, argv[0], &t);
  if (t != napi_external || napi_check_object_type_tag(env, argv[0], &VCPU_TAG, &ok) != napi_ok || !ok)
    return throw_type(env, "closeVcpu", "expected a vCPU handle");
  napi_get_value_external(env, argv[0], &p);
  vcpu_close(p);
  return undefined(env);
}

/* run(vcpu) → exit reason, or -1 when KVM_RUN was interrupted (deadline kick, immediate_exit). */
static napi_value run(napi_env env, napi_callback_info info) {
  const char *op = "KVM_RUN";
  napi_value argv[1];
  vcpu_handle *h;
  if (!args(env, info, op, 1, argv) || !arg_vcpu(env, argv[0], op, &h)) return NULL;
  if (ioctl(h->fd, KVM_RUN, 0) < 0) {
    if (errno == EINTR || errno == EAGAIN) return make_i32(env, -1);
    return throw_errno(env, op, errno, NULL);
  }
  return make_i32(env, (int32_t)h->run->exit_reason);
}

/* completePending(vcpu): finish an I/O or MMIO exit (commit IN data to registers) without running
 * guest code, so state read afterwards is consistent. */
static napi_value complete_pending(napi_env env, napi_callback_info info) {
  const char *op = "KVM_RUN";
  napi_value argv[1];
  vcpu_handle *h;
  if (!args(env, info, op, 1, argv) || !arg_vcpu(env, argv[0], op, &h)) return NULL;
  h->run->immediate_exit = 1;
  int r = ioctl(h->fd, KVM_RUN, 0);
  int err = errno;
  h->run->immediate_exit = 0;
  if (r < 0 && err != EINTR && err != EAGAIN) return throw_errno(env, op, err, "completing a pending exit");
  return undefined(env);
}

/* armTimer(vcpu, ns): kick the calling thread out of KVM_RUN after `ns` nanoseconds. */
static napi_value arm_timer(napi_env env, napi_callback_info info) {
  const char *op = "timer_settime";
  napi_value argv[2];
  vcpu_handle *h;
  uint64_t ns;
  if (!args(env, info, op, 2, argv) || !arg_vcpu(env, argv[0], op, &h) || !arg_u64(env, argv[1], op, "timeout", &ns))
    return NULL;
  if (!install_kick(env, op)) return NULL;
  pid_t tid = (pid_t)syscall(SYS_gettid);
  if (h->timer_created && h->timer_tid != tid) {
    timer_delete(h->timer);
    h->timer_created = false;
  }
  if (!h->timer_created) {
    struct sigevent sev;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_THREAD_ID;
    sev.sigev_signo = KICK_SIGNAL;
    sev._sigev_un._tid = tid;
    if (timer_create(CLOCK_MONOTONIC, &sev, &h->timer) < 0) return throw_errno(env, "timer_create", errno, NULL);
    h->timer_created = true;
    h->timer_tid = tid;
  }
  if (ns == 0) ns = 1; /* zero would disarm: an expired deadline must still kick */
  struct itimerspec when = {.it_value = {.tv_sec = (time_t)(ns / 1000000000ULL), .tv_nsec = (long)(ns % 1000000000ULL)}};
  h->run->immediate_exit = 0;
  kick_target = h->run;
  if (timer_settime(h->timer, 0, &when, NULL) < 0) {
    kick_target = NULL;
    return throw_errno(env, op, errno, NULL);
  }
  h->armed = true;
  return undefined(env);
}

static napi_value disarm_timer(napi_env env, napi_callback_info info) {
  const char *op = "timer_settime";
  napi_value argv[1];
  vcpu_handle *h;
  if (!args(env, info, op, 1, argv) || !arg_vcpu(env, argv[0], op, &h)) return NULL;
  if (h->armed) {
    struct itimerspec off = {0};
    timer_settime(h->timer, 0, &off, NULL);
    h->armed = false;
  }
  kick_target = NULL;
  h->run->immediate_exit = 0;
  return undefined(env);
}

/* ---- fixed-size state structures ------------------------------------------------------- */

typedef struct raw_state {
  const char *js_get, *js_set, *get_name, *set_name;
  unsigned long get_req, set_req;
  size_t size;
} raw_state;

#define RAW(js, NAME, type) {"get" #js, "set" #js, "KVM_GET_" #NAME, "KVM_SET_" #NAME, KVM_GET_##NAME, KVM_SET_##NAME, sizeof(type)}
static const raw_state RAW_STATES[] = {
    RAW(Regs, REGS, struct kvm_regs),
    RAW(Sregs, SREGS, struct kvm_sregs),
    RAW(Fpu, FPU, struct kvm_fpu),
    RAW(Xsave, XSAVE, struct kvm_xsave),
    RAW(Xcrs, XCRS, struct kvm_xcrs),
    RAW(VcpuEvents, VCPU_EVENTS, struct kvm_vcpu_events),
    RAW(DebugRegs, DEBUGREGS, struct kvm_debugregs),
    RAW(MpState, MP_STATE, struct kvm_mp_state),
    RAW(Lapic, LAPIC, struct kvm_lapic_state),
};

static napi_value raw_get(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  size_t argc = 1;
  void *data;
  napi_get_cb_info(env, info, &argc, argv, NULL, &data);
  const raw_state *s = data;
  vcpu_handle *h;
  if (argc < 1) return throw_type(env, s->get_name, "expected a vCPU handle");
  if (!arg_vcpu(env, argv[0], s->get_name, &h)) return NULL;
  uint8_t buf[sizeof(struct kvm_xsave)] __attribute__((aligned(8)));
  memset(buf, 0, s->size);
  if (ioctl(h->fd, s->get_req, buf) < 0) return throw_errno(env, s->get_name, errno, NULL);
  return make_bytes(env, buf, s->size);
}

static napi_value raw_set(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  size_t argc = 2;
  void *data;
  napi_get_cb_info(env, info, &argc, argv, NULL, &data);
  const raw_state *s = data;
  vcpu_handle *h;
  uint8_t *bytes;
  if (argc < 2) return throw_type(env, s->set_name, "expected a vCPU handle and a Uint8Array");
  if (!arg_vcpu(env, argv[0], s->set_name, &h) || !arg_bytes(env, argv[1], s->set_name, "state", s->size, &bytes))
    return NULL;
  uint8_t buf[sizeof(struct kvm_xsave)] __attribute__((aligned(8)));
  memcpy(buf, bytes, s->size);
  if (ioctl(h->fd, s->set_req, buf) < 0) return throw_errno(env, s->set_name, errno, NULL);
  bool has_flags = s->set_req == KVM_SET_VCPU_EVENTS || s->set_req == KVM_SET_MP_STATE;
  uint32_t flags = 0;
  if (s->set_req == KVM_SET_VCPU_EVENTS) flags = ((struct kvm_vcpu_events *)buf)->flags;
  if (s->set_req == KVM_SET_MP_STATE) flags = ((struct kvm_mp_state *)buf)->mp_state;
  trace_record(&h->trace, s->set_name, NULL, 0, NULL, has_flags, flags);
  return undefined(env);
}

/* ---- MSR batches --------------------------------------------------------------------------- */

static bool arg_typed(napi_env env, napi_value v, const char *op, const char *what, napi_typedarray_type want,
                      const char *type_name, size_t *len, void **data) {
  bool is_ta = false;
  napi_typedarray_type type;
  napi_is_typedarray(env, v, &is_ta);
  if (is_ta) napi_get_typedarray_info(env, v, &type, len, data, NULL, NULL);
  if (!is_ta || type != want) {
    throw_type(env, op, "%s must be a %s", what, type_name);
    return false;
  }
  return true;
}

#define MAX_MSR_BATCH 256

static struct kvm_msrs *msr_batch(napi_env env, const char *op, const uint32_t *indices, size_t n) {
  if (n == 0 || n > MAX_MSR_BATCH) {
    throw_range(env, op, "an MSR batch holds 1..%d entries, got %zu", MAX_MSR_BATCH, n);
    return NULL;
  }
  struct kvm_msrs *m = calloc(1, sizeof *m + n * sizeof(struct kvm_msr_entry));
  if (!m) {
    throw_errno(env, op, ENOMEM, NULL);
    return NULL;
  }
  m->nmsrs = (uint32_t)n;
  for (size_t i = 0; i < n; i++) m->entries[i].index = indices[i];
  return m;
}

/* getMsrs(vcpu, Uint32Array indices) → BigUint64Array values. */
static napi_value get_msrs(napi_env env, napi_callback_info info) {
  const char *op = "KVM_GET_MSRS";
  napi_value argv[2];
  vcpu_handle *h;
  size_t n;
  void *idx;
  if (!args(env, info, op, 2, argv) || !arg_vcpu(env, argv[0], op, &h) ||
      !arg_typed(env, argv[1], op, "indices", napi_uint32_array, "Uint32Array", &n, &idx))
    return NULL;
  struct kvm_msrs *m = msr_batch(env, op, idx, n);
  if (!m) return NULL;
  int r = ioctl(h->fd, KVM_GET_MSRS, m);
  if (r < 0) {
    int err = errno;
    free(m);
    return throw_errno(env, op, err, NULL);
  }
  if ((size_t)r < n) {
    uint32_t bad = m->entries[r].index;
    free(m);
    return throw_msr(env, op, bad, (uint32_t)r, (uint32_t)n);
  }
  void *data;
  napi_value ab, arr;
  napi_create_arraybuffer(env, n * 8, &data, &ab);
  for (size_t i = 0; i < n; i++) ((uint64_t *)data)[i] = m->entries[i].data;
  napi_create_typedarray(env, napi_biguint64_array, n, ab, 0, &arr);
  free(m);
  return arr;
}

/* setMsrs(vcpu, Uint32Array indices, BigUint64Array values); a short count names the refused MSR. */
static napi_value set_msrs(napi_env env, napi_callback_info info) {
  const char *op = "KVM_SET_MSRS";
  napi_value argv[3];
  vcpu_handle *h;
  size_t n, nv;
  void *idx, *vals;
  if (!args(env, info, op, 3, argv) || !arg_vcpu(env, argv[0], op, &h) ||
      !arg_typed(env, argv[1], op, "indices", napi_uint32_array, "Uint32Array", &n, &idx) ||
      !arg_typed(env, argv[2], op, "values", napi_biguint64_array, "BigUint64Array", &nv, &vals))
    return NULL;
  if (n != nv) return throw_range(env, op, "%zu indices but %zu values", n, nv);
  struct kvm_msrs *m = msr_batch(env, op, idx, n);
  if (!m) return NULL;
  for (size_t i = 0; i < n; i++) m->entries[i].data = ((uint64_t *)vals)[i];
  int r = ioctl(h->fd, KVM_SET_MSRS, m);
  int err = errno;
  free(m);
  if (r < 0) return throw_errno(env, op, err, NULL);
  trace_record(&h->trace, op, idx, (uint32_t)(r < 0 ? 0 : r), vals, false, 0);
  if ((size_t)r < n) return throw_msr(env, op, ((uint32_t *)idx)[r], (uint32_t)r, (uint32_t)n);
  return undefined(env);
}

/* ---- CPUID, TSC, interrupts ----------------------------------------------------------------- */

/* setCpuid2(vcpu, Uint32Array of kvm_cpuid_entry2 records, 10 words each). */
static napi_value set_cpuid2(napi_env env, napi_callback_info info) {
  const char *op = "KVM_SET_CPUID2";
  napi_value argv[2];
  vcpu_handle *h;
  size_t words;
  void *data;
  if (!args(env, info, op, 2, argv) || !arg_vcpu(env, argv[0], op, &h) ||
      !arg_typed(env, argv[1], op, "entries", napi_uint32_array, "Uint32Array", &words, &data))
    return NULL;
  const size_t per = sizeof(struct kvm_cpuid_entry2) / 4;
  if (words % per || words / per > 4096)
    return throw_range(env, op, "entries must be whole records of %zu words (at most 4096), got %zu words", per, words);
  struct kvm_cpuid2 *c = calloc(1, sizeof *c + words * 4);
  if (!c) return throw_errno(env, op, ENOMEM, NULL);
  c->nent = (uint32_t)(words / per);
  memcpy(c->entries, data, words * 4);
  int r = ioctl(h->fd, KVM_SET_CPUID2, c);
  int err = errno;
  free(c);
  if (r < 0) return throw_errno(env, op, err, NULL);
  trace_record(&h->trace, op, NULL, 0, NULL, false, 0);
  return undefined(env);
}

static napi_value get_tsc_khz(napi_env env, napi_callback_info info) {
  const char *op = "KVM_GET_TSC_KHZ";
  napi_value argv[1];
  vcpu_handle *h;
  if (!args(env, info, op, 1, argv) || !arg_vcpu(env, argv[0], op, &h)) return NULL;
  int r = ioctl(h->fd, KVM_GET_TSC_KHZ, 0);
  if (r < 0) return throw_errno(env, op, errno, NULL);
  return make_i32(env, r);
}

static napi_value set_tsc_khz(napi_env env, napi_callback_info info) {
  const char *op = "KVM_SET_TSC_KHZ";
  napi_value argv[2];
  vcpu_handle *h;
  uint32_t khz;
  if (!args(env, info, op, 2, argv) || !arg_vcpu(env, argv[0], op, &h) || !arg_u32(env, argv[1], op, "kHz", &khz))
    return NULL;
  if (khz == 0) return throw_range(env, op, "kHz must be non-zero");
  if (ioctl(h->fd, KVM_SET_TSC_KHZ, (unsigned long)khz) < 0) return throw_errno(env, op, errno, NULL);
  trace_record(&h->trace, op, NULL, 0, NULL, true, khz);
  return undefined(env);
}

static napi_value interrupt(napi_env env, napi_callback_info info) {
  const char *op = "KVM_INTERRUPT";
  napi_value argv[2];
  vcpu_handle *h;
  uint32_t vector;
  if (!args(env, info, op, 2, argv) || !arg_vcpu(env, argv[0], op, &h) || !arg_u32(env, argv[1], op, "vector", &vector))
    return NULL;
  if (vector > 255) return throw_range(env, op, "vector must be 0..255, got %u", vector);
  struct kvm_interrupt irq = {.irq = vector};
  if (ioctl(h->fd, KVM_INTERRUPT, &irq) < 0) return throw_errno(env, op, errno, NULL);
  return undefined(env);
}

static napi_value nmi(napi_env env, napi_callback_info info) {
  const char *op = "KVM_NMI";
  napi_value argv[1];
  vcpu_handle *h;
  if (!args(env, info, op, 1, argv) || !arg_vcpu(env, argv[0], op, &h)) return NULL;
  if (ioctl(h->fd, KVM_NMI, 0) < 0) return throw_errno(env, op, errno, NULL);
  return undefined(env);
}

/* setGuestDebug(vcpu, control, BigUint64Array(8) debugreg): KVM_SET_GUEST_DEBUG for a host
 * debugger (breakpoints, single-step). Separate from the guest's own DR0-DR7 (KVM_SET_DEBUGREGS). */
static napi_value set_guest_debug(napi_env env, napi_callback_info info) {
  const char *op = "KVM_SET_GUEST_DEBUG";
  napi_value argv[3];
  vcpu_handle *h;
  uint32_t control;
  size_t n;
  void *regs;
  if (!args(env, info, op, 3, argv) || !arg_vcpu(env, argv[0], op, &h) ||
      !arg_u32(env, argv[1], op, "control", &control) ||
      !arg_typed(env, argv[2], op, "debugreg", napi_biguint64_array, "BigUint64Array", &n, &regs))
    return NULL;
  struct kvm_guest_debug dbg;
  memset(&dbg, 0, sizeof dbg);
  if (n != 8) return throw_range(env, op, "debugreg holds 8 values (DR0-DR7), got %zu", n);
  const uint32_t known = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP | KVM_GUESTDBG_USE_SW_BP |
                         KVM_GUESTDBG_USE_HW_BP | KVM_GUESTDBG_INJECT_DB | KVM_GUESTDBG_INJECT_BP;
  if (control & ~known) return throw_range(env, op, "unknown control bits 0x%x", control & ~known);
  dbg.control = control;
  memcpy(dbg.arch.debugreg, regs, sizeof dbg.arch.debugreg);
  if (ioctl(h->fd, KVM_SET_GUEST_DEBUG, &dbg) < 0) return throw_errno(env, op, errno, NULL);
  return undefined(env);
}

static napi_value set_trace(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  vcpu_handle *h;
  bool on;
  if (!args(env, info, "setTrace", 2, argv) || !arg_vcpu(env, argv[0], "setTrace", &h) ||
      !arg_bool(env, argv[1], "setTrace", "enabled", &on))
    return NULL;
  h->trace.enabled = on;
  if (!on) trace_clear(&h->trace);
  return undefined(env);
}

static napi_value take_trace(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  vcpu_handle *h;
  if (!args(env, info, "takeTrace", 1, argv) || !arg_vcpu(env, argv[0], "takeTrace", &h)) return NULL;
  return trace_take(env, &h->trace);
}

void register_vcpu_functions(napi_env env, napi_value exports) {
  EXPORT_FN(env, exports, "createVcpu", create_vcpu);
  EXPORT_FN(env, exports, "closeVcpu", close_vcpu);
  EXPORT_FN(env, exports, "run", run);
  EXPORT_FN(env, exports, "completePending", complete_pending);
  EXPORT_FN(env, exports, "armTimer", arm_timer);
  EXPORT_FN(env, exports, "disarmTimer", disarm_timer);
  EXPORT_FN(env, exports, "getMsrs", get_msrs);
  EXPORT_FN(env, exports, "setMsrs", set_msrs);
  EXPORT_FN(env, exports, "setCpuid2", set_cpuid2);
  EXPORT_FN(env, exports, "getTscKhz", get_tsc_khz);
  EXPORT_FN(env, exports, "setTscKhz", set_tsc_khz);
  EXPORT_FN(env, exports, "interrupt", interrupt);
  EXPORT_FN(env, exports, "nmi", nmi);
  EXPORT_FN(env, exports, "setGuestDebug", set_guest_debug);
  EXPORT_FN(env, exports, "setTrace", set_trace);
  EXPORT_FN(env, exports, "takeTrace", take_trace);
  for (size_t i = 0; i < sizeof RAW_STATES / sizeof RAW_STATES[0]; i++) {
    napi_value g, s;
    napi_create_function(env, RAW_STATES[i].js_get, NAPI_AUTO_LENGTH, raw_get, (void *)&RAW_STATES[i], &g);
    napi_create_function(env, RAW_STATES[i].js_set, NAPI_AUTO_LENGTH, raw_set, (void *)&RAW_STATES[i], &s);
    napi_set_named_property(env, exports, RAW_STATES[i].js_get, g);
    napi_set_named_property(env, exports, RAW_STATES[i].js_set, s);
  }
}
